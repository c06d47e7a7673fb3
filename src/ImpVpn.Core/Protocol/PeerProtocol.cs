namespace ImpVpn.Core.Protocol;

/// <summary>Fixed facts of ImpVpn's peer protocol, version 1 (docs/protocol.md).</summary>
public static class PeerProtocol
{
    /// <summary>The custom peer message type that carries ImpVpn's JSON-RPC messages. Odd, as BOLT 1 asks of
    /// optional messages ("it's OK to be odd"): a node that does not speak ImpVpn ignores it instead of
    /// dropping the connection. Above 32768, so LND forwards it without extra configuration.</summary>
    public const uint MessageType = 40709;

    /// <summary>LND refuses custom message payloads larger than this.</summary>
    public const int MaxMessageBytes = 65_533;

    public const int Version = 1;

    public const string Quote = "impvpn.v1.quote";
    public const string Accept = "impvpn.v1.accept";
    public const string Activate = "impvpn.v1.activate";
    public const string Refresh = "impvpn.v1.refresh";
    public const string Status = "impvpn.v1.status";
}
