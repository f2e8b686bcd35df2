package io.portproof.analysis.web;

import io.portproof.model.web.EndpointPrediction;
import io.portproof.model.web.ResponsePrediction;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Compares one endpoint's prediction with what the live server does, collecting differences. */
final class TruthCheck {
  private TruthCheck() {}

  static void compare(EndpointPrediction e, String host, List<String> mismatches) throws Exception {
    String where = e.address() + ":" + e.port();

    if (e.tls()) {
      Map<String, LiveProbe.Handshake> seen = LiveProbe.handshakes(e.address(), e.port(), host);
      List<String> accepted = seen.entrySet().stream().filter(x -> x.getValue().accepted())
          .map(Map.Entry::getKey).toList();
      if (!accepted.equals(e.protocols().stream().filter(seen::containsKey).toList())) {
        mismatches.add(where + " protocols predicted " + e.protocols() + " <" + e.protocolsBy()
            + "> but the server accepted " + accepted);
      }
      for (Map.Entry<String, LiveProbe.Handshake> h : seen.entrySet()) {
        if (h.getValue().accepted() && !e.ciphers().contains(h.getValue().cipher())
) {
          mismatches.add(where + " " + h.getKey() + " negotiated " + h.getValue().cipher()
              + ", not among the predicted " + e.ciphers());
        }
      }
    }
    for (ResponsePrediction r : e.responses()) {
      if (r.status() == ResponsePrediction.UNKNOWN) {
        continue;
      }
      LiveProbe.Answer a = LiveProbe.get(e.address(), e.port(), e.tls(), host, r.path());
      String hsts = a.header("Strict-Transport-Security");
      if (r.status() == ResponsePrediction.UPSTREAM) {
        // the application decides the status; the server's own headers are still predicted
        if (!Objects.equals(hsts, r.hsts())) {
          mismatches.add(where + r.path() + " (upstream) predicted hsts=" + r.hsts() + " <"
              + r.hstsBy() + "> but observed " + a.status() + " hsts=" + hsts);
        }
        continue;
      }
      String location = a.status() >= 300 && a.status() < 400 ? a.header("Location") : null;
      String predictedLocation = r.status() >= 300 && r.status() < 400 ? r.location() : null;
      if (a.status() != r.status() || !Objects.equals(location, predictedLocation)
          || !Objects.equals(hsts, r.hsts())) {
        mismatches.add(where + r.path() + " predicted " + r.status() + " " + predictedLocation
            + " hsts=" + r.hsts() + " <" + r.decidedBy() + "> but observed " + a.status() + " "
            + location + " hsts=" + hsts);
      }
    }
  }
}
