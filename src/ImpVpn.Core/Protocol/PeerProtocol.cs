namespace ImpVpn.Core.Protocol;

/// <summary>Fixed facts of ImpVpn's peer protocol (docs/protocol.md): version 2, where the buyer makes the
/// preimage, and version 1, which sellers still answer until its stated end (<see cref="V1"/>).</summary>
public static class PeerProtocol
{
    /// <summary>The custom peer message type that carries ImpVpn's JSON-RPC messages. Odd, as BOLT 1 asks of
    /// optional messages ("it's OK to be odd"): a node that does not speak ImpVpn ignores it instead of
    /// dropping the connection. Above 32768, so LND forwards it without extra configuration.</summary>
    public const uint MessageType = 40709;

    /// <summary>LND refuses custom message payloads larger than this.</summary>
    public const int MaxMessageBytes = 65_533;

    public const int Version = 2;

    public const string Quote = "impvpn.v2.quote";
    public const string Accept = "impvpn.v2.accept";
    public const string Activate = "impvpn.v2.activate";
    public const string Claim = "impvpn.v2.claim";
    public const string Refresh = "impvpn.v2.refresh";
    public const string Status = "impvpn.v2.status";

    /// <summary>What a seller sells (modes, address families, price, durations, region, capacity left, protocol
    /// versions). Stateless, and not tied to a purchase, so it keeps its version-1 name: any buyer may ask it before
    /// deciding which seller to quote.</summary>
    public const string Offer = "impvpn.v1.offer";

    /// <summary>The feature bit a seller sets in its node announcement while it sells, so buyers find it in the graph
    /// (docs/protocol.md, "Being found"). Odd, so a node that does not know it ignores it ("it's OK to be odd");
    /// at least 256, clear of every bit BOLT 9 assigns, of the bits LND knows (LND refuses to set those through
    /// peersrpc) and of those bLIP 2 reserves (256/257, 729); below 2023, which LND already announces, so the
    /// announcement's feature field grows by nothing. Nobody registers such a bit: another program may use it, so a
    /// buyer takes it as a hint and asks the node for its offer.</summary>
    public const uint SellerFeatureBit = 1151;

    /// <summary>The protocol versions a seller of this version answers, as its offer lists them.</summary>
    public static IReadOnlyList<int> SupportedVersions { get; } = [1, Version];

    /// <summary>Version 1, where the seller makes the preimage and settles as soon as it has added the peer: a seller
    /// that cheats can take the payment without delivering. Sellers answer it for buyers of ImpVpn 0.1 until
    /// ImpVpn 0.4.0 (docs/protocol.md, "Deprecation"); buyers no longer send it.</summary>
    public static class V1
    {
        public const string Quote = "impvpn.v1.quote";
        public const string Accept = "impvpn.v1.accept";
        public const string Activate = "impvpn.v1.activate";
        public const string Refresh = "impvpn.v1.refresh";
        public const string Status = "impvpn.v1.status";
    }
}
