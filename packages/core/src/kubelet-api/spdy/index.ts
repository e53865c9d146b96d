/** Server-side SPDY/3.1 for the kubelet streaming endpoints (exec, attach, port-forward). */
export {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameReader,
  GoAwayStatus,
  RstStatus,
  SettingsId,
  SpdyProtocolError,
  decodeFrame,
  encodeFrame,
  type SpdyFrame,
} from './frames.ts';
export {
  HeaderCompressor,
  HeaderDecompressor,
  SPDY3_DICTIONARY,
  headerValue,
  type SpdyHeaders,
  type SpdyHeadersInit,
} from './header-block.ts';
export {
  SpdySession,
  SpdyStream,
  waitForStreams,
  type SpdySessionEvents,
  type SpdySessionOptions,
  type SpdyStreamEvents,
} from './session.ts';
export {
  HEADER_ACCEPTED_PROTOCOL_VERSIONS,
  HEADER_PROTOCOL_VERSION,
  HEADER_SPDY_31,
  acceptSpdyUpgrade,
  clientProtocols,
  negotiateProtocol,
  type SpdyUpgradeOptions,
  type SpdyUpgradeResult,
} from './upgrade.ts';
