import type { Timeouts } from './http.js';
import type { Verdict } from './rules.js';

/**
 * What a request that got no HTTP status means, in words that say what really happened: the host
 * does not exist (not retried), refused or did not take the connection, accepted the request and
 * then went silent, or cut the connection in the middle of a response. `answered` tells whether
 * the API has answered an earlier request of this run: then its address is not the problem.
 */
export function networkVerdict(error: unknown, host: string, timeouts: Timeouts, answered: boolean): Verdict {
  const e = error as { code?: string; event?: string; timings?: { response?: number }; message?: string };
  const code = e.code ?? 'network_error';
  const receiving = e.timings?.response !== undefined;
  const later = answered ? 'the API answered earlier requests of this run; run again later if it persists' : undefined;
  const transient = (message: string, hint: string): Verdict => ({ class: 'transient', code: codeOf(code, e.event), message, hint: later ?? hint });
  if (code === 'ETIMEDOUT') {
    switch (e.event) {
      case 'lookup':
      case 'connect':
      case 'secureConnect':
        return transient(`could not connect to ${host} within ${seconds(timeouts.connectMs)} (connect timeout)`, 'check the base_url setting, the network and any proxy or firewall');
      case 'socket':
        return {
          class: 'transient', code: 'idle_timeout',
          message: receiving
            ? `${host} stopped sending the response: no data for ${seconds(timeouts.idleMs)} (idle timeout)`
            : `${host} accepted the request but sent no response for ${seconds(timeouts.idleMs)} (idle timeout)`,
          hint: 'the API is slow or stuck: run again later, or raise timeouts.idle_seconds in the connector',
        };
      case 'request':
        return { class: 'transient', code: 'request_timeout', message: `the exchange with ${host} took longer than ${seconds(timeouts.requestMs)} in all (request timeout)`, hint: 'the API is slow: run again later, or raise timeouts.request_seconds in the connector' };
      default:
        return transient(`the request to ${host} timed out (${e.event ?? 'timeout'})`, 'run again later');
    }
  }
  switch (code) {
    case 'ENOTFOUND':
      return { class: 'configuration', code: 'host_not_found', message: `the host ${host} was not found (DNS: ENOTFOUND); nothing was sent`, hint: 'check the base_url setting for a typo; a name that does not resolve is not retried' };
    case 'EAI_AGAIN':
      return transient(`the DNS lookup of ${host} failed for now (EAI_AGAIN)`, 'check this machine\'s network and DNS');
    case 'ECONNREFUSED':
      return transient(`${host} refused the connection (ECONNREFUSED)`, 'check the base_url setting (host and port) and that the API is up');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return transient(`could not reach ${host} from this machine (${code})`, 'check this machine\'s network connection');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return transient(receiving
        ? `the connection to ${host} was cut while the response was arriving (${code})`
        : `the connection to ${host} was closed before a response came (${code})`, 'run again later');
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return { class: 'configuration', code: 'invalid_header', message: `a request header holds characters HTTP cannot carry (${code}); nothing was sent`, hint: 'check the header values the connector sends (request.headers, a cursor sent as a header)' };
    default:
      if (code.startsWith('HPE_')) return transient(`${host} sent a response that is not valid HTTP (${code})`, 'check the base_url setting (http:// or https://, and the port)');
      return transient(`the request to ${host} failed: ${code}`, 'check the base_url setting and this machine\'s network connection');
  }
}

function codeOf(code: string, event: string | undefined): string {
  return code === 'ETIMEDOUT' ? `${event ?? 'request'}_timeout` : code.toLowerCase();
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
