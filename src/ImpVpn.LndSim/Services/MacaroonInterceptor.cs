using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ImpVpn.LndSim.Services;

/// <summary>Checks the `macaroon` metadata on every call, answering as LND does when it is missing or wrong.</summary>
public sealed class MacaroonInterceptor(NodeContext nodeContext) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        var given = context.RequestHeaders.Where(h => h.Key == "macaroon").ToList();
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

        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes, nodeContext.Node.Macaroon))
        {
            throw new RpcException(new Status(StatusCode.Unknown, "verification failed: signature mismatch after caveat verification"));
        }
    }
}
