/** IPv4 addresses as 32-bit numbers, for handing out pod IPs in order. */

/** The address as an unsigned 32-bit number, or undefined when `text` is not dotted-quad IPv4. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** `base + offset` as dotted-quad, wrapping around at 2^32. */
export function formatIPv4(base: number, offset = 0): string {
  const value = (base + offset) % 2 ** 32;
  return [24, 16, 8, 0].map(shift => Math.floor(value / 2 ** shift) % 256).join('.');
}
