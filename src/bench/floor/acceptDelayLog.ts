/**
 * Preload for measuring how late a relay accepts its clients' connections (docs/benchmarks.md):
 * `ACCEPT_DELAY_LOG=file node --import ./dist/bench/floor/acceptDelayLog.js dist/bench/floor/probeChild.js …`
 * appends one line per client connect (`c <client local port> <ms>`) and per server accept
 * (`s <server socket remote port> <ms>`), in every thread, on one clock (performance.timeOrigin
 * + now(), comparable across threads). acceptDelayReport.js pairs them by port.
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

const file = process.env.ACCEPT_DELAY_LOG;
if (file) {
  const at = () => (performance.timeOrigin + performance.now()).toFixed(3);
  subscribe('undici:client:connected', (message) => {
    const socket = (message as { socket: Socket }).socket;
    appendFileSync(file, `c ${socket.localPort} ${at()}\n`);
  });
  subscribe('net.server.socket', (message) => {
    const socket = (message as { socket: Socket }).socket;
    appendFileSync(file, `s ${socket.remotePort} ${at()}\n`);
  });
}
