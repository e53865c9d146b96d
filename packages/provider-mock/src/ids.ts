/** Deterministic identifiers: the same pod, container and restart always get the same IDs. */
import { createHash } from 'node:crypto';
import { memoize } from './memo.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** `mock://<64 hex>`, from the pod UID, the container name and which restart it is. */
export function containerID(podUID: string, container: string, restartCount: number): string {
  return `mock://${sha256(`${podUID}/${container}/${restartCount}`)}`;
}

/** A digest reference for the image (`repo@sha256:…`, tag dropped), shaped like a runtime's `imageID`. */
export const imageID = memoize((image: string): string => {
  const at = image.indexOf('@');
  let repository = at >= 0 ? image.slice(0, at) : image;
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) repository = repository.slice(0, colon);
  return `${repository}@sha256:${sha256(image)}`;
});
