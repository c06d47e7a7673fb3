using System.Security.Cryptography;
using System.Text;
using ImpVpn.LndSim.Crypto;

namespace ImpVpn.LndSim.Network;

/// <summary>How a tampered invoice differs from the one the node recorded.</summary>
public enum InvoiceTampering
{
    /// <summary>One satoshi more than the node was asked for.</summary>
    Amount,

    /// <summary>Signed by a stranger's key, so the invoice pays someone else.</summary>
    Payee,

    /// <summary>A description hash that commits to other terms.</summary>
    DescriptionHash,
}

/// <summary>
/// Encodes a valid, well-signed BOLT11 invoice that differs from the recorded one in a single way.
/// It stands in for a dishonest seller (or its compromised node) so that end-to-end tests can check
/// the buyer refuses such an invoice before paying; the node's own invoice record is left untouched.
/// </summary>
internal static class InvoiceTamperer
{
    public static string Encode(Bolt11Invoice invoice, NodeKey key, InvoiceTampering tampering) => tampering switch
    {
        InvoiceTampering.Amount => Bolt11Encoder.Encode(invoice with { AmountMsat = (invoice.AmountMsat ?? 0) + 1000 }, key),
        InvoiceTampering.Payee => EncodeForStranger(invoice),
        InvoiceTampering.DescriptionHash => Bolt11Encoder.Encode(
            invoice with { Description = null, DescriptionHash = SHA256.HashData(Encoding.UTF8.GetBytes("other terms")) }, key),
        _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
    };

    private static string EncodeForStranger(Bolt11Invoice invoice)
    {
        var stranger = NodeKey.Generate();
        return Bolt11Encoder.Encode(invoice with { Payee = stranger.PublicKey }, stranger);
    }
}
