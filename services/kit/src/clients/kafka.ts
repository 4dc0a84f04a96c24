import { connect } from 'node:net';
import { Kafka, logLevel, type Consumer, type ISocketFactory, type Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { AddressMap } from '@stackdrill/facts';

/**
 * Connects to the address the map names for a broker (the cluster's metadata hands out the brokers'
 * own addresses), as kafkajs's own factory does otherwise: plain TCP with keep-alive.
 */
function mappedSockets(map: AddressMap): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const to = map[`${host}:${port}`] ?? { host, port };
    const socket = connect({ host: to.host, port: to.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/**
 * kafkajs: pure JavaScript, so it runs on Node 20, 22 and 24 without native builds. Its log lines go
 * to our logger at their own level.
 */
export function createKafka(
  clientId: string,
  brokers: string[],
  logger: Logger,
  addressMap: AddressMap = {},
): Kafka {
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'debug',
    [logLevel.DEBUG]: 'debug',
  };
  return new Kafka({
    clientId,
    brokers,
    ...(Object.keys(addressMap).length ? { socketFactory: mappedSockets(addressMap) } : {}),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...rest } = entry.log;
      logger[levels[entry.level] ?? 'info']({ kafka: rest, namespace: entry.namespace }, message);
    },
  });
}

/** Idempotent producer, every send acknowledged by all in-sync replicas (acks=all is set per send). */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

export async function connectConsumer(kafka: Kafka, groupId: string, topics: string[]): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  return consumer;
}
