export { callJson, type CallJsonOptions, type JsonAnswer } from './call-json.ts';
export { collectEvents, type EventCollector } from './event-collector.ts';
export { resetTracingGlobals } from './tracing-globals.ts';
export { capturedLogger } from './captured-logger.ts';
export { consumedMarker } from './consumed-marker.ts';
export { startGroupAtEnd } from './group-at-end.ts';
export { ResponseContract, contractAt, type ContractAnswer } from './response-contract.ts';
