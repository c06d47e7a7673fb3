using Google.Protobuf;
using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.Core.Lightning.Lnd;

/// <summary>LND's messages to ImpVpn's own records (LightningModels.cs) and back.</summary>
internal static class LndModelMapper
{
    public static NodeInfo ToNodeInfo(GetInfoResponse r) => new(
        r.IdentityPubkey,
        r.Alias,
        r.Chains.Count > 0 ? r.Chains[0].Network : string.Empty,
        r.SyncedToChain,
        r.SyncedToGraph,
        r.BlockHeight,
        (int)r.NumActiveChannels,
        r.Uris.ToList(),
        r.Version);

    // LND's Invoice does not say whether it is a hold invoice (an unsettled one simply has no preimage yet), so
    // neither does InvoiceInfo.
    public static InvoiceInfo ToInvoiceInfo(Invoice i) => new(
        i.RHash.ToByteArray(),
        (InvoiceState)(int)i.State,
        i.Value,
        i.AmtPaidMsat,
        i.PaymentRequest,
        i.Memo,
        i.DescriptionHash.ToByteArray(),
        DateTimeOffset.FromUnixTimeSeconds(i.CreationDate),
        i.Expiry,
        i.SettleDate > 0 ? DateTimeOffset.FromUnixTimeSeconds(i.SettleDate) : null);

    public static DecodedPaymentRequest ToDecoded(PayReq p) => new(
        p.Destination,
        Convert.FromHexString(p.PaymentHash),
        p.NumSatoshis,
        p.NumMsat,
        DateTimeOffset.FromUnixTimeSeconds(p.Timestamp),
        p.Expiry,
        p.Description,
        string.IsNullOrEmpty(p.DescriptionHash) ? [] : Convert.FromHexString(p.DescriptionHash),
        p.CltvExpiry);

    public static PaymentResult ToPaymentResult(Payment p) => new(
        Convert.FromHexString(p.PaymentHash),
        (PaymentStatus)(int)p.Status,
        (PaymentFailureReason)(int)p.FailureReason,
        p.ValueSat,
        p.FeeSat,
        string.IsNullOrEmpty(p.PaymentPreimage) || p.PaymentPreimage.All(c => c == '0') ? null : Convert.FromHexString(p.PaymentPreimage));

    public static ByteString Bytes(ReadOnlyMemory<byte> bytes) => ByteString.CopyFrom(bytes.Span);

    public static ByteString PubKeyBytes(string pubKey)
    {
        if (pubKey.Length != 66 || !pubKey.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"'{pubKey}' is not a node public key (66 hex characters).", nameof(pubKey));
        }

        return ByteString.CopyFrom(Convert.FromHexString(pubKey));
    }
}
