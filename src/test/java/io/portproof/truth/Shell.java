package io.portproof.truth;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short host commands (ip, iptables-restore, sysctl) with a hard time bound. */
public final class Shell {
  private Shell() {}

  /** What a finished command said. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    public Result orThrow() {
      if (!ok()) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + exitCode + ": " + stderr.strip() + stdout.strip());
      }
      return this;
    }
  }

  /** Commands here finish in milliseconds; anything slower is broken, not busy. */
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  public static Result run(String stdin, String... command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
    try {
      // Both streams are drained concurrently so a chatty command can never block on a full pipe.
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + TIMEOUT);
      }
      return new Result(
          List.of(command),
          process.exitValue(),
          out.get(5, TimeUnit.SECONDS),
          err.get(5, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("lost the output of " + String.join(" ", command), e);
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * Readers block until the child exits; the common pool has one thread on a two-core machine, so
   * they get their own daemon threads.
   */
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "truth-shell-reader");
            thread.setDaemon(true);
            return thread;
          });

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        READERS);
  }

  /**
   * The absolute path of an administration tool, or empty. Test JVMs often run with a PATH that
   * lacks the sbin directories, so those are searched too.
   */
  public static Optional<String> tool(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    return dirs.stream()
        .filter(dir -> !dir.isEmpty())
        .map(dir -> new File(dir, name))
        .filter(File::canExecute)
        .map(File::getAbsolutePath)
        .findFirst();
  }
}
