package io.portproof.cli;

/** Output formats of the question commands (check has its own, richer list). */
enum OutputFormat {
  text,
  json
}
