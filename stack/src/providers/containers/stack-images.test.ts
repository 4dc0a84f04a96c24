import { VERSIONS } from '@stackdrill/facts';
import { describe, expect, it } from 'vitest';
import { IMAGES, IMAGES_MODES } from '../../images/build-images.ts';
import {
  MONGO_FLAVOR,
  OFFICIAL_MONGO,
  officialKafkaImage,
  publishedImages,
  stackImages,
} from './stack-images.ts';

describe('the images the containers provider runs', () => {
  it('when online, then Kafka and MongoDB are the official images, by digest; offline Kafka is the stack’s own and FerretDB stands in', () => {
    expect(OFFICIAL_MONGO).toMatch(/^docker\.io\/library\/mongo@sha256:[0-9a-f]{64}$/);
    expect(MONGO_FLAVOR).toEqual({ public: 'mongod', offline: 'ferretdb' });
    expect(officialKafkaImage()).toMatch(/^docker\.io\/apache\/kafka@sha256:[0-9a-f]{64}$/);
    expect(stackImages('public').kafka.image).toBe(officialKafkaImage(VERSIONS.kafka));
    expect(stackImages('offline').kafka.image).toBe(IMAGES.find((i) => i.name === 'kafka')!.tag);
    expect(publishedImages(stackImages('public'), 'public')).toEqual([officialKafkaImage(), OFFICIAL_MONGO]);
    expect(publishedImages(stackImages('offline'), 'offline')).toEqual([]);
  });

  it('when Kafka starts in either image, then the command line is the same', () => {
    const args = ['-Xmx384m', 'kafka.Kafka', '/data/server.properties'];
    const [publicCommand, offlineCommand] = IMAGES_MODES.map((m) => stackImages(m).kafka.command(args));
    expect(publicCommand).toEqual(offlineCommand);
    expect(publicCommand).toEqual(['java', '-cp', '/opt/kafka/libs/*', ...args]);
  });

  it('when the pinned Kafka has no official digest recorded, then it says where one goes', () => {
    expect(() => officialKafkaImage('0.0.1')).toThrow(/OFFICIAL_KAFKA_DIGESTS/);
  });
});
