package io.portproof.analysis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.parse.ServerConfigParser;
import io.portproof.parse.apache.ApacheParser;
import io.portproof.parse.haproxy.HaproxyParser;
import io.portproof.parse.nginx.NginxParser;
import io.portproof.parse.ss.SsParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each fixture is recognised by exactly its own parser, so auto-detection is unambiguous. */
class SniffTest {
  private static final List<ServerConfigParser> PARSERS =
      List.of(new NginxParser(), new ApacheParser(), new HaproxyParser(), new SsParser());

  @ParameterizedTest
  @CsvSource({
      "nginx, nginx/certbot/nginx.conf",
      "nginx, nginx/dump/nginx-T.txt",
      "nginx, nginx/includes/sites-enabled/example.com",
      "apache, apache/certbot/apache2.conf",
      "apache, apache/debian-tree/sites-enabled/default-ssl.conf",
      "haproxy, haproxy/edge-redirect/haproxy.cfg",
      "ss, ss/ss-tulnp.txt",
      "ss, ss/ss-ltnH.txt"})
  void onlyItsOwnParserClaimsIt(String format, String file) throws Exception {
    String head = Files.readString(Path.of("src/test/resources/web", file));
    assertThat(PARSERS.stream().filter(p -> p.sniff(head, file)).map(ServerConfigParser::name))
        .containsExactly(format);
  }
}
