namespace ImpVpn.Core.Lightning.Lnd;

// Plain data of the LndNode calls that are not part of ILightningNode (ImpVpn's production code does not use them;
// the simulator's tests and the demo do). Amounts are in satoshis.

/// <summary>AddInvoice: an ordinary invoice whose preimage the node chooses.</summary>
public sealed record InvoiceRequest(
    long AmountSat,
    string? Memo = null,
    byte[]? DescriptionHash = null,
    long ExpirySeconds = 3600);

/// <summary>ChannelBalance: what the node can spend (local) and receive (remote) over its channels.</summary>
public sealed record ChannelBalanceInfo(long LocalSat, long RemoteSat, long PendingOpenLocalSat);

/// <summary>VerifyMessage's answer: whether the signature is valid (LND says so only for signers in its graph) and
/// the node key it recovers.</summary>
public sealed record SignatureCheck(bool Valid, string PubKey);
