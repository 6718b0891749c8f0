package com.cps.dcs.service.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a service's gRPC port shows to browsers and tools beyond its APIs: the web origins that may call it
 * (CORS, {@code DCS_CORS_ORIGINS}), server reflection ({@code DCS_GRPC_REFLECTION}) and the browsable API page
 * {@code /docs} ({@code DCS_API_DOCS}). Browsers send a page's origin with every gRPC-Web call; a call from an origin
 * not listed gets no CORS headers, so the browser refuses to hand the answer to the page.
 *
 * @param corsOrigins the origins allowed (scheme, host and port), empty for none
 * @param anyOrigin every origin allowed ({@code DCS_CORS_ORIGINS=*}: development only)
 */
public record WebExposure(List<String> corsOrigins, boolean anyOrigin, boolean reflection, boolean docs) {
  public static final String CORS = "DCS_CORS_ORIGINS";
  public static final String REFLECTION = "DCS_GRPC_REFLECTION";
  public static final String DOCS = "DCS_API_DOCS";
  /** Origins a service lists at most. */
  static final int MAX_ORIGINS = 32;

  public WebExposure {
    corsOrigins = List.copyOf(corsOrigins);
  }

  /**
   * From the service's settings: {@code DCS_CORS_ORIGINS} is a comma-separated list of origins
   * ({@code https://pos.example.com,http://localhost:3001}), {@code none}, or {@code *}; unset, the service's
   * {@code defaultOrigins}. Reflection and {@code /docs} are on unless set to {@code false}.
   *
   * @throws IllegalArgumentException naming the setting when a value is not one
   */
  public static WebExposure from(Function<String, String> lookup, List<String> defaultOrigins) {
    String cors = trimmed(lookup.apply(CORS));
    List<String> origins;
    boolean any = false;
    if (cors == null) {
      origins = defaultOrigins.stream().map(WebExposure::origin).toList();
    } else if (cors.equals("*")) {
      origins = List.of();
      any = true;
    } else if (cors.equalsIgnoreCase("none")) {
      origins = List.of();
    } else {
      origins = new ArrayList<>();
      for (String o : cors.split(",")) {
        if (!o.isBlank()) {
          origins.add(origin(o.strip()));
        }
      }
      if (origins.size() > MAX_ORIGINS) {
        throw new IllegalArgumentException(CORS + " lists more than " + MAX_ORIGINS + " origins");
      }
    }
    return new WebExposure(origins, any, flag(lookup, REFLECTION), flag(lookup, DOCS));
  }

  /** An origin as browsers send it: {@code http} or {@code https}, a host, an optional port, nothing else. */
  static String origin(String value) {
    try {
      URI u = new URI(value);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      boolean bare = (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null
          && u.getRawFragment() == null && u.getRawUserInfo() == null;
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || !bare) {
        throw new IllegalArgumentException();
      }
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() < 0 ? "" : ":" + u.getPort());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException(CORS + ": '" + value + "' is not an origin (scheme://host[:port], http or"
          + " https, no path)");
    }
  }

  private static boolean flag(Function<String, String> lookup, String key) {
    String v = trimmed(lookup.apply(key));
    if (v == null || v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
  }

  private static String trimmed(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }
}
