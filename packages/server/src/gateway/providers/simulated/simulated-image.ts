import { crc32, deflateSync } from 'node:zlib';
import type { OpenAIImageRequest, OpenAIImageResponse } from '@tollgate/core';
import { seededRandom } from './simulated-random';

/** The simulated images' side in pixels: small, since they only stand in for real ones. */
const SIDE = 8;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * `n` deterministic images as `b64_json`: small PNGs of one colour drawn from
 * the model, the prompt and the image's index, so the same request always
 * gets the same images. Each says it is simulated in its `revised_prompt`.
 */
export function simulateImages(
  request: OpenAIImageRequest,
  model: string,
  created: number,
): OpenAIImageResponse {
  const count = request.n ?? 1;
  return {
    created,
    data: Array.from({ length: count }, (_, index) => {
      const random = seededRandom(`${model}\n${request.prompt}\n${index}`);
      const colour = [0, 1, 2].map(() => Math.floor(random.next() * 256)) as [
        number,
        number,
        number,
      ];
      return {
        b64_json: solidPng(colour).toString('base64'),
        revised_prompt: `[simulated] ${request.prompt}`,
      };
    }),
    ...(request.size && { size: request.size }),
    ...(request.quality && { quality: request.quality }),
  };
}

/** A SIDE×SIDE PNG of one RGB colour. */
function solidPng([red, green, blue]: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIDE, 0);
  header.writeUInt32BE(SIDE, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour RGB
  const row = Buffer.alloc(1 + SIDE * 3); // filter byte 0, then the pixels
  for (let x = 0; x < SIDE; x += 1) row.set([red, green, blue], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: SIDE }, () => row));
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, checksum]);
}
