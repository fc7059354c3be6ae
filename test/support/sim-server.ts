// Starts the simulator's OpenAI-compatible HTTP server on a free port for a test.
import {
  startSimServer,
  type SimServer,
  type SimServerFault,
  type SimServerOptions,
} from '../../src/model/sim-server.js';
import type { SimulatorSettings } from '../../src/model/simulator.js';

export type { SimServerFault };

export interface TestSimServer {
  /** OPENAI_BASE_URL for the client, e.g. http://127.0.0.1:40123/v1. */
  readonly baseURL: string;
  /** Every request the server received, in order (method, path, prompt units, fault taken, status). */
  readonly requests: SimServer['requests'];
  /** Queues faults: each of the next requests takes one, in order. */
  enqueue(...faults: SimServerFault[]): void;
  /** Delay before every answer, in ms. */
  setDelay(ms: number): void;
  /** Most requests in flight at once so far. */
  maxInFlight(): number;
  readonly server: SimServer;
  close(): Promise<void>;
}

export async function startTestSimServer(
  settings: Partial<SimulatorSettings> & Pick<SimServerOptions, 'responseFormats'> = { flipRate: 0 },
): Promise<TestSimServer> {
  const { responseFormats, ...sim } = settings;
  const server = await startSimServer({
    port: 0,
    host: '127.0.0.1',
    sim,
    ...(responseFormats ? { responseFormats } : {}),
  });
  return {
    baseURL: server.baseURL,
    requests: server.requests,
    enqueue: (...faults) => server.enqueue(...faults),
    setDelay: (ms) => {
      server.delayMs = ms;
    },
    maxInFlight: () => server.maxInFlight,
    server,
    close: () => server.close(),
  };
}
