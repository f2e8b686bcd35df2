package io.portproof.parse.nginx;

import java.util.Set;

/**
 * Directive names nginx 1.22 (Debian build) accepts that need no modelling for port-level
 * predictions, per context. Anything else is reported as unknown so a typo or an unmodelled module
 * is visible.
 */
final class NginxDirectives {
  private NginxDirectives() {}

  /** The rewrite module, handled in every context it is allowed in. */
  static final Set<String> REWRITE = Set.of("return", "rewrite", "if", "set", "break",
      "rewrite_log", "uninitialized_variable_warn");

  static final Set<String> MAIN = Set.of("user", "worker_processes", "pid", "error_log",
      "include", "events", "load_module", "worker_rlimit_nofile", "worker_cpu_affinity",
      "worker_priority", "daemon", "master_process", "env", "pcre_jit", "thread_pool",
      "timer_resolution", "working_directory", "lock_file", "worker_shutdown_timeout",
      "ssl_engine", "debug_points");

  /** Directives valid in http, server and location (a superset is fine for reporting). */
  private static final Set<String> COMMON = Set.of("add_header", "root", "alias", "index",
      "access_log", "error_log", "error_page", "server_tokens", "charset", "default_type",
      "types", "types_hash_max_size", "types_hash_bucket_size", "sendfile", "tcp_nopush",
      "tcp_nodelay", "keepalive_timeout", "keepalive_requests", "send_timeout",
      "server_names_hash_bucket_size", "server_names_hash_max_size", "server_name_in_redirect",
      "port_in_redirect", "absolute_redirect", "autoindex", "autoindex_exact_size",
      "autoindex_localtime", "autoindex_format", "allow", "deny", "auth_basic",
      "auth_basic_user_file", "auth_request", "auth_request_set", "expires", "etag",
      "if_modified_since", "add_trailer", "log_not_found", "log_subrequest", "open_file_cache",
      "open_file_cache_valid", "open_file_cache_min_uses", "open_file_cache_errors",
      "limit_req", "limit_req_status", "limit_conn", "limit_conn_status", "limit_rate",
      "limit_rate_after", "resolver", "resolver_timeout", "real_ip_header", "set_real_ip_from",
      "real_ip_recursive", "underscores_in_headers", "ignore_invalid_headers",
      "large_client_header_buffers", "merge_slashes", "msie_padding", "msie_refresh",
      "recursive_error_pages", "reset_timedout_connection", "satisfy", "internal",
      "try_files", "ssi", "sub_filter", "sub_filter_once", "sub_filter_types",
      "output_buffers", "postpone_output", "directio", "aio", "lingering_close",
      "lingering_time", "lingering_timeout", "chunked_transfer_encoding", "log_format",
      "map_hash_bucket_size", "map_hash_max_size", "variables_hash_max_size",
      "variables_hash_bucket_size", "http2_max_field_size", "http2_max_header_size",
      "http2_push_preload", "http2_push", "http2_body_preread_size", "http2_chunk_size",
      "http2_idle_timeout", "http2_max_concurrent_streams", "http2_recv_timeout", "listen",
      "server_name", "location", "ssl_protocols", "ssl_ciphers", "ssl_certificate",
      "ssl_certificate_key", "ssl_dhparam", "ssl_conf_command", "ssl", "http2", "mirror",
      "disable_symlinks", "stub_status", "dav_methods", "create_full_put_path",
      "min_delete_depth", "dav_access", "gunzip", "image_filter", "xslt_stylesheet",
      "random_index", "flv", "mp4", "secure_link", "secure_link_md5", "secure_link_secret",
      "userid", "userid_name", "userid_domain", "userid_path", "userid_expires",
      "empty_gif", "geo", "map", "split_clients", "upstream", "limit_req_zone",
      "limit_conn_zone", "server", "hsts");

  static final Set<String> HTTP = COMMON;
  static final Set<String> SERVER = COMMON;
  static final Set<String> LOCATION = COMMON;
  /** What nginx allows inside an {@code if} within a location besides rewrite directives. */
  static final Set<String> IF_IN_LOCATION = Set.of("add_header", "proxy_pass", "fastcgi_pass",
      "uwsgi_pass", "scgi_pass", "grpc_pass", "root", "expires", "access_log", "limit_rate",
      "default_type", "allow", "deny");

  /**
   * Module families whose many tuning directives need no modelling: {@code proxy_*},
   * {@code ssl_*}, {@code gzip*}, {@code client_*}, ….
   */
  static boolean isIgnoredFamily(String name) {
    for (String prefix : new String[] {"proxy_", "fastcgi_", "uwsgi_", "scgi_", "grpc_",
        "memcached_", "ssl_", "gzip", "client_", "keepalive", "brotli", "more_set_",
        "more_clear_", "zstd", "vhost_traffic", "upload_", "postpone_", "subrequest_",
        "sub_filter", "charset_", "source_charset", "override_charset", "image_filter_",
        "http2_", "http3_", "quic_", "resolver", "connection_pool", "request_pool",
        "server_names_", "proxy", "worker_", "accept_", "multi_accept", "use", "njs",
        "js_", "perl", "geoip", "auth_jwt", "modsecurity", "pagespeed", "lua_", "content_by_",
        "access_by_", "rewrite_by_", "header_filter_by_", "body_filter_by_", "log_by_",
        "init_by_", "set_by_"}) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
