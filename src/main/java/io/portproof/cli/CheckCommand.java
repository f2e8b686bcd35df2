package io.portproof.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true, description = "Checks a host against its policy.")
final class CheckCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return Main.OK;
  }
}
