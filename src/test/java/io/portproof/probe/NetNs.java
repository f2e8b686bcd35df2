package io.portproof.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace this test creates, joined to the root namespace by a veth pair on a random
 * /30 from 198.18.0.0/15. Its own nftables ruleset decides what our connects see; the root
 * namespace's firewall is never touched. Deleting the namespace also destroys the veth pair.
 */
final class NetNs implements AutoCloseable {
  final String name;
  final InetAddress inside;
  private final String hostLink;

  private NetNs(String name, String hostLink, InetAddress inside) {
    this.name = name;
    this.hostLink = hostLink;
    this.inside = inside;
  }

  static NetNs create() throws IOException, InterruptedException {
    Env.require(Env.root(), "root, to create a network namespace");
    Env.requireTool("ip");
    Env.requireTool("nft");
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String id = Integer.toHexString(r.nextInt(0x100000, 0xffffff));
    String ns = "pp-probe-" + id;
    int third = r.nextInt(256);
    int fourth = r.nextInt(64) * 4;
    String outside = "198.19." + third + "." + (fourth + 1);
    String insideAddr = "198.19." + third + "." + (fourth + 2);
    String hostLink = "ppo" + id;
    String nsLink = "ppi" + id;
    Env.run(10, "ip", "netns", "add", ns);
    NetNs created = new NetNs(ns, hostLink, InetAddress.getByName(insideAddr));
    try {
      Env.run(10, "ip", "link", "add", hostLink, "type", "veth", "peer", "name", nsLink, "netns", ns);
      Env.run(10, "ip", "addr", "add", outside + "/30", "dev", hostLink);
      Env.run(10, "ip", "link", "set", hostLink, "up");
      Env.run(10, "ip", "-n", ns, "addr", "add", insideAddr + "/30", "dev", nsLink);
      Env.run(10, "ip", "-n", ns, "link", "set", nsLink, "up");
      Env.run(10, "ip", "-n", ns, "link", "set", "lo", "up");
      return created;
    } catch (IOException | RuntimeException e) {
      created.close();
      throw e;
    }
  }

  /** Loads an nftables ruleset inside the namespace. */
  void nft(String ruleset) throws IOException, InterruptedException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("portproof-nft", ".nft");
    try {
      java.nio.file.Files.writeString(file, ruleset);
      Env.run(10, "ip", "netns", "exec", name, "nft", "-f", file.toString());
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  String exec(String... command) throws IOException, InterruptedException {
    String[] full = new String[command.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = name;
    System.arraycopy(command, 0, full, 4, command.length);
    return Env.run(10, full);
  }

  @Override
  public void close() {
    try {
      Env.run(10, "ip", "netns", "del", name);
    } catch (IOException e) {
      // Fall through to the link removal below; report nothing more useful than the failure.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Env.run(10, "ip", "link", "del", hostLink);
    } catch (IOException e) {
      // Expected: deleting the namespace already destroyed the pair.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
