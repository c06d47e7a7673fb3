using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ImpVpn.LndSim.Services;

/// <summary>Checks the `macaroon` metadata on every call, answering as LND does when it is missing or wrong.</summary>
public sealed class MacaroonInterceptor(NodeContext context) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext call, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(call);
        return continuation(request, call);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext call,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(call);
        return continuation(request, responseStream, call);
    }

    private void Check(ServerCallContext call)
    {
        var given = call.RequestHeaders.Where(h => h.Key == "macaroon").ToList();
        if (given.Count != 1)
        {
            throw new RpcException(new Status(StatusCode.Unknown, $"expected 1 macaroon, got {given.Count}"));
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(given[0].Value);
        }
        catch (FormatException)
        {
            throw new RpcException(new Status(StatusCode.Unknown, "unable to decode macaroon: encoding/hex: invalid byte"));
        }

        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes, context.Node.Macaroon))
        {
            throw new RpcException(new Status(StatusCode.Unknown, "verification failed: signature mismatch after caveat verification"));
        }
    }
}
