package io.portproof.cli;

/** A command that writes: it gets the streams of the current run from {@link Main}'s factory. */
abstract class IoCommand implements Main.IoAware {
  Main.Io io;

  @Override
  public void io(Main.Io io) {
    this.io = io;
  }
}
