using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// The terms both sides sign up to. The hold invoice's description hash is SHA-256 of <see cref="Canonical"/>:
/// fixed field order, one "key=value" per line, no JSON, so both sides get the same bytes whatever their JSON
/// library does. The buyer recomputes it from what it agreed to and refuses an invoice that does not match.
/// </summary>
public sealed record ContractTerms(
    string ContractId,
    string SellerPubKey,
    string BuyerPubKey,
    string BuyerWireGuardKey,
    long PriceSat,
    long DurationSeconds,
    string Nonce,
    string Purpose = "activate")
{
    public string Canonical =>
        "impvpn-terms-v1\n" +
        $"purpose={Purpose}\n" +
        $"contract_id={ContractId}\n" +
        $"seller_node={SellerPubKey.ToLowerInvariant()}\n" +
        $"buyer_node={BuyerPubKey.ToLowerInvariant()}\n" +
        $"buyer_wireguard_key={BuyerWireGuardKey}\n" +
        $"price_sat={PriceSat.ToString(CultureInfo.InvariantCulture)}\n" +
        $"duration_seconds={DurationSeconds.ToString(CultureInfo.InvariantCulture)}\n" +
        $"nonce={Nonce}\n";

    public byte[] DescriptionHash() => SHA256.HashData(Encoding.UTF8.GetBytes(Canonical));
}
