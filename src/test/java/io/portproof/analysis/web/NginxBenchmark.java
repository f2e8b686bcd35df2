package io.portproof.analysis.web;

import io.portproof.diag.Diagnostics;
import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.nginx.NginxParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Parses and analyzes 5,000 server blocks across 500 included files and prints the time beside
 * {@code nginx -t} on the same tree. Run with {@code ./mvnw -Pbench-nginx -DskipTests test}.
 */
public final class NginxBenchmark {
  private static final int FILES = 500;
  private static final int SERVERS_PER_FILE = 10;

  private NginxBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("portproof-bench-");
    try {
      Path conf = generate(dir);
      long cold = run(conf);
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        best = Math.min(best, run(conf));
      }
      System.out.printf("portproof: %d servers in %d files: parse+predict cold %d ms, warm best %d ms%n",
          FILES * SERVERS_PER_FILE, FILES, cold, best);
      Path nginx = Path.of("/usr/sbin/nginx");
      if (Files.isExecutable(nginx)) {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(nginx.toString(), "-t", "-q", "-p", dir + "/", "-c",
            conf.toString(), "-g", "pid " + dir.resolve("nginx.pid") + ";")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
        System.out.printf("nginx -t: %d ms (exit %d)%s%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), p.exitValue(),
            out.isBlank() ? "" : "\n" + out.strip());
      } else {
        System.out.println("nginx -t: nginx not installed");
      }
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long run(Path conf) {
    long start = System.nanoTime();
    Diagnostics d = new Diagnostics();
    ServerModel model = new NginxParser().parse(conf, d);
    long parsed = System.nanoTime();
    List<EndpointPrediction> p = new WebPredictor().predict(model, "s4242.example.com", d);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf("  parse %d ms, predict %d ms%n", TimeUnit.NANOSECONDS.toMillis(parsed - start),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parsed));
    if (model.hosts().size() != FILES * SERVERS_PER_FILE || p.isEmpty()) {
      throw new IllegalStateException("benchmark tree misread: " + model.hosts().size() + " hosts, "
          + d.asList().size() + " diagnostics");
    }
    return ms;
  }

  private static Path generate(Path dir) throws Exception {
    Path certs = Path.of("src/test/resources/web/nginx/certs");
    Files.copy(certs.resolve("example-rsa.crt"), dir.resolve("cert.pem"));
    Files.copy(certs.resolve("example-rsa.key"), dir.resolve("key.pem"));
    Files.createDirectories(dir.resolve("sites"));
    for (int f = 0; f < FILES; f++) {
      StringBuilder sb = new StringBuilder();
      for (int s = 0; s < SERVERS_PER_FILE; s++) {
        int n = f * SERVERS_PER_FILE + s;
        boolean tls = n % 10 == 0;
        sb.append("server {\n    listen ").append(tls ? "443 ssl" : "80").append(";\n")
            .append("    server_name s").append(n).append(".example.com www.s").append(n).append(".example.com;\n");
        if (tls) {
          sb.append("    ssl_certificate cert.pem;\n    ssl_certificate_key key.pem;\n")
              .append("    ssl_protocols TLSv1.2 TLSv1.3;\n")
              .append("    add_header Strict-Transport-Security \"max-age=31536000\" always;\n");
        }
        sb.append("    root html;\n")
            .append("    if ($host = www.s").append(n).append(".example.com) {\n")
            .append("        return 301 https://s").append(n).append(".example.com$request_uri;\n    }\n")
            .append("    location / {\n        try_files $uri $uri/ =404;\n    }\n")
            .append("    location ~ \\.php$ {\n        fastcgi_pass unix:/run/php.sock;\n    }\n")
            .append("    location ^~ /.well-known/acme-challenge/ {\n        default_type text/plain;\n    }\n")
            .append("    location /api/ {\n        add_header X-Api ").append(n).append(";\n")
            .append("        proxy_pass http://127.0.0.1:").append(3000 + s).append(";\n    }\n}\n");
      }
      Files.writeString(dir.resolve("sites/site" + f + ".conf"), sb.toString());
    }
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, "events { }\nhttp {\n    server_names_hash_bucket_size 128;\n"
        + "    include sites/*.conf;\n}\n");
    return conf;
  }
}
