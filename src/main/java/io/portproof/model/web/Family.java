package io.portproof.model.web;

/** The address family of a socket; UNIX sockets are local only and never exposed to the network. */
public enum Family {
  IPV4,
  IPV6,
  UNIX
}
