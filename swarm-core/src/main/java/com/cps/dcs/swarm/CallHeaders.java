package com.cps.dcs.swarm;

import com.cps.dcs.kernel.crypto.CrdtUploadSignature;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Makes each call's request headers readable by the service (signed CRDT uploads carry their signature there). */
final class CallHeaders implements ServerInterceptor {
  static final Metadata.Key<String> UPLOAD_AGENT =
      Metadata.Key.of(CrdtUploadSignature.AGENT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> UPLOAD_SIGNED_AT =
      Metadata.Key.of(CrdtUploadSignature.SIGNED_AT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<byte[]> UPLOAD_SIGNATURE =
      Metadata.Key.of(CrdtUploadSignature.SIGNATURE_HEADER, Metadata.BINARY_BYTE_MARSHALLER);
  private static final Context.Key<Metadata> KEY = Context.key("dcs-call-headers");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(Context.current().withValue(KEY, headers), call, headers, next);
  }

  /** The current call's headers (none outside a call). */
  static Metadata current() {
    Metadata m = KEY.get();
    return m == null ? new Metadata() : m;
  }
}
