using Grpc.Core;
using Grpc.Core.Interceptors;
using ImpVpn.Core.Store;

namespace ImpVpn.Daemon;

/// <summary>
/// The store's typed failures as gRPC statuses with their message, for every method (ListTunnels, GetTunnel,
/// RefreshContract's lookup, ...): an unreadable contract file is DataLoss (the operator looks at the file; retrying
/// will not help), a store held by another process too long is Unavailable (worth retrying). Without this a client
/// gets Unknown with no reason.
/// </summary>
internal sealed class ApiStoreErrors : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Status(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Status(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static Status? Status(Exception e) => e switch
    {
        CorruptContractException corrupt => new Status(StatusCode.DataLoss, $"{corrupt.Message} Nothing was paid by this call."),
        StoreBusyException busy => new Status(StatusCode.Unavailable, $"{busy.Message} Try again; nothing was paid by this call."),
        _ => null,
    };
}
