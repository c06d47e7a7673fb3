using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImpVpn.Daemon;

/// <summary>
/// Every call to the API, gRPC or HTTP, needs the token: a call without it is refused with Unauthenticated before
/// its method runs, so nothing is asked or paid. gRPC calls are checked by this interceptor (the refusal is a gRPC
/// status); plain HTTP requests by <see cref="RefuseHttpAsync"/> before transcoding reads their body, so a request
/// without the token is a 401 whatever it sends, and learns nothing of which paths or bodies exist.
/// </summary>
internal sealed class ApiAuthentication(ApiToken token) : Interceptor
{
    private const string Refusal = "The API token is missing or wrong: send 'authorization: Bearer <the token file's content>'.";

    /// <summary>Middleware: a request that is not gRPC and lacks the token gets 401 with a JSON status body, as
    /// transcoding answers Unauthenticated.</summary>
    public static async Task RefuseHttpAsync(HttpContext context, RequestDelegate next)
    {
        var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        if (isGrpc || context.RequestServices.GetRequiredService<ApiToken>().Accepts(context.Request.Headers.Authorization))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new { code = (int)StatusCode.Unauthenticated, message = Refusal, details = Array.Empty<object>() }).ConfigureAwait(false);
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Require(ServerCallContext context)
    {
        if (!token.Accepts(context.RequestHeaders.GetValue("authorization")))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, Refusal));
        }
    }
}
