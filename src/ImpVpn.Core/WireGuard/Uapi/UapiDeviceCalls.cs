namespace ImpVpn.Core.WireGuard.Uapi;

/// <summary>The two UAPI exchanges every UAPI-speaking backend makes (wireguard-go's socket, Windows' named pipe).</summary>
internal static class UapiDeviceCalls
{
    public static async Task<WireGuardDevice?> GetAsync(IUapiTransport transport, string name, WireGuardBackendKind kind, CancellationToken cancellationToken)
    {
        if (!transport.Exists(name))
        {
            return null;
        }

        var reply = await transport.ExchangeAsync(name, UapiCodec.GetRequest, cancellationToken).ConfigureAwait(false);
        return UapiCodec.DecodeGet(name, reply) with { Backend = kind };
    }

    public static async Task SetAsync(IUapiTransport transport, string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        var reply = await transport.ExchangeAsync(name, UapiCodec.EncodeSet(config), cancellationToken).ConfigureAwait(false);
        var errno = UapiCodec.DecodeErrno(name, reply);
        if (errno != 0)
        {
            throw new UapiErrorException(name, errno);
        }
    }
}
