/**
 * Refuses any request to the ops port whose Host header is not a name this port is meant to be
 * reached by, before anything else runs (DNS rebinding). A web page at attacker.example can point
 * its own name at 127.0.0.1 and so talk to a port on the victim's loopback as if it were its own
 * origin; the browser still sends `Host: attacker.example`, and that is what we refuse.
 *
 * Allowed: localhost, any address literal (127.0.0.1, [::1], 10.0.0.5: rebinding needs a name, and a
 * page whose origin is the address itself gains nothing from it; Prometheus and Kubernetes probes
 * name their targets by address), and the names listed in AUDIT_HTTP_ALLOWED_HOSTS. Any port.
 */
import type { RequestHandler } from 'express';
import { hostOfHeader, isAddressLiteral } from '../host-name.js';

export function hostCheck(allowedNames: readonly string[]): RequestHandler {
  const allowed = new Set(['localhost', ...allowedNames]);
  return (req, res, next) => {
    const host = hostOfHeader(req.headers.host);
    if (host !== undefined && (allowed.has(host) || isAddressLiteral(host))) return next();
    res
      .status(421)
      .type('text/plain')
      .send('Misdirected request: this port answers to localhost, IP addresses and the names in AUDIT_HTTP_ALLOWED_HOSTS only.\n');
  };
}
