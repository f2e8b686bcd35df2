package io.portproof.parse.nft.truth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Child program run inside the server namespace: binds TCP listeners on {@code [::]} (dual stack,
 * so one socket serves both families), prints {@code READY}, then accepts and closes connections
 * until its stdin closes or its lifetime runs out. Exiting on stdin EOF means a dead parent never
 * leaves it behind.
 *
 * <p>Arguments: {@code LIFETIME_SECONDS PORT...}
 */
public final class ListenerMain {
  private ListenerMain() {}

  public static void main(String[] args) throws IOException {
    long deadline = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    Selector selector = Selector.open();
    List<ServerSocketChannel> channels = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      ServerSocketChannel channel = ServerSocketChannel.open();
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      // A backlog far above the number of concurrent probes: an overflowing accept queue drops SYNs
      // and would look exactly like a firewall DROP.
      channel.bind(new InetSocketAddress("::", Integer.parseInt(args[i])), 4096);
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_ACCEPT);
      channels.add(channel);
    }
    System.out.println("READY");
    System.out.flush();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // Input is ignored; only its end matters.
                }
              } catch (IOException e) {
                // A broken stdin means the parent is gone, same as EOF.
              }
              System.exit(0);
            });
    watchdog.setDaemon(true);
    watchdog.start();
    while (System.nanoTime() < deadline) {
      selector.select(500);
      for (SelectionKey key : selector.selectedKeys()) {
        SocketChannel accepted = ((ServerSocketChannel) key.channel()).accept();
        if (accepted != null) {
          accepted.close();
        }
      }
      selector.selectedKeys().clear();
    }
    System.exit(0);
  }
}
