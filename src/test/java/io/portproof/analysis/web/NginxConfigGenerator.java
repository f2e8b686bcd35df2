package io.portproof.analysis.web;

import java.util.List;
import java.util.Random;

/**
 * Seeded random nginx configurations mixing the constructs whose semantics are easy to get wrong:
 * redirect forms, {@code add_header} inheritance and {@code always}, {@code ssl_protocols} against
 * OpenSSL 3 security levels, cipher strings against the certificate's key type.
 */
final class NginxConfigGenerator {
  private static final List<String> HTTP_SIDE = List.of(
      "return 301 https://$host$request_uri;",
      "return 302 https://$server_name$request_uri;",
      "return 307 https://example.com$uri$is_args$args;",
      "return 308 https://$host$request_uri;",
      "rewrite ^ https://$host$request_uri? permanent;",
      "rewrite ^/(.*)$ https://$host/$1 redirect;",
      "if ($host = example.com) {\n            return 301 https://$host$request_uri;\n        }\n        return 404;",
      "return 444;",
      "if ($scheme = http) {\n            return 301 https://$host$request_uri;\n        }\n        root html;",
      "location /.well-known/acme-challenge/ {\n            root html;\n        }\n"
          + "        location / {\n            return 301 https://$host$request_uri;\n        }",
      "root html;",
      "location / {\n            return 301 /secure$request_uri;\n        }",
      "location ^~ /.well-known/ {\n            return 200 \"ok\";\n        }\n"
          + "        rewrite ^/portproof/(.*)$ /moved/$1 last;\n"
          + "        location /moved/ {\n            return 301 https://$host$uri$is_args$args;\n        }\n"
          + "        location / {\n            return 404;\n        }");
  private static final List<String> PROTOCOLS = List.of("", "TLSv1.2 TLSv1.3", "TLSv1.2", "TLSv1.3",
      "TLSv1 TLSv1.1 TLSv1.2", "TLSv1 TLSv1.2 TLSv1.3", "TLSv1.1 TLSv1.3");
  private static final List<String> CIPHERS = List.of("", "HIGH:!aNULL:!MD5",
      "HIGH:!aNULL:!MD5:@SECLEVEL=0", "ECDHE+AESGCM", "ECDHE+AESGCM:@SECLEVEL=0", "DEFAULT",
      "ECDHE-RSA-AES128-SHA:@SECLEVEL=0", "ECDHE-ECDSA-AES256-GCM-SHA384", "kRSA:@SECLEVEL=0",
      "ECDHE:!SHA1:!SHA256:!SHA384");
  private static final List<String> HSTS = List.of("max-age=31536000",
      "max-age=63072000; includeSubDomains; preload", "max-age=300");
  private static final List<String> DEEP = List.of("", "return 403;", "return 302 /elsewhere;",
      "rewrite ^/portproof/(.*)$ /x/$1 redirect;", "add_header Strict-Transport-Security \"max-age=1\" always;",
      "add_header X-Deep 1;", "if ($arg_x = 1) {\n                return 410;\n            }");

  private NginxConfigGenerator() {}

  static String generate(long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    sb.append("# generated, seed ").append(seed).append("\nevents { }\n\nhttp {\n");
    if (r.nextInt(3) == 0) {
      sb.append("    add_header Strict-Transport-Security \"").append(pick(r, HSTS)).append('"')
          .append(r.nextBoolean() ? " always" : "").append(";\n");
    }
    if (r.nextInt(3) == 0) {
      sb.append("    add_header X-Http-Level 1").append(r.nextBoolean() ? " always" : "").append(";\n");
    }
    sb.append("\n    server {\n        listen 80").append(r.nextBoolean() ? " default_server" : "")
        .append(";\n        server_name example.com;\n");
    if (r.nextInt(4) == 0) {
      sb.append("        add_header X-Plain 1;\n");
    }
    sb.append("        ").append(pick(r, HTTP_SIDE)).append("\n    }\n\n");
    boolean ec = r.nextInt(3) == 0;
    sb.append("    server {\n        listen 443 ssl;\n        server_name example.com;\n")
        .append("        ssl_certificate ../certs/example-").append(ec ? "ec" : "rsa").append(".crt;\n")
        .append("        ssl_certificate_key ../certs/example-").append(ec ? "ec" : "rsa").append(".key;\n");
    String protocols = pick(r, PROTOCOLS);
    if (!protocols.isEmpty()) {
      sb.append("        ssl_protocols ").append(protocols).append(";\n");
    }
    String ciphers = pick(r, CIPHERS);
    if (!ciphers.isEmpty()) {
      sb.append("        ssl_ciphers \"").append(ciphers).append("\";\n");
    }
    sb.append("        root html;\n");
    if (r.nextInt(4) != 0) {
      sb.append("        add_header Strict-Transport-Security \"").append(pick(r, HSTS)).append('"')
          .append(r.nextBoolean() ? " always" : "").append(";\n");
    }
    if (r.nextBoolean()) {
      sb.append("        location / {\n");
      if (r.nextBoolean()) {
        sb.append("            add_header X-Root 1").append(r.nextBoolean() ? " always" : "").append(";\n");
      }
      sb.append("        }\n");
    }
    if (r.nextBoolean()) {
      sb.append("        location /portproof/ {\n            ").append(pick(r, DEEP)).append("\n        }\n");
    }
    sb.append("    }\n}\n");
    return sb.toString();
  }

  private static String pick(Random r, List<String> from) {
    return from.get(r.nextInt(from.size()));
  }
}
