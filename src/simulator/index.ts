/** The Flatfile API simulator: a real HTTP server with a generated account, ground truth and fault knobs. */
export type { AccountSize, SimulatorOptions } from './options.js';
export { DEFAULT_ACCOUNT_SIZE, DEFAULT_NOW } from './options.js';
export type { Faults } from './faults.js';
export { DEFAULT_FAULTS } from './faults.js';
export type { SimulatorStats } from './stats.js';
export type { ApiRequestInfo, EventsRequestInfo, ScriptedReply } from './simulator.js';
export { Simulator } from './simulator.js';
export type { RunningSimulator } from './server.js';
export { startSimulator } from './server.js';
export { TOPICS, domainOf } from './topics.js';
