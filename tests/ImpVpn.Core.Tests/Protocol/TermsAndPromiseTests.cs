using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Tests.Protocol;

public sealed class TermsAndPromiseTests
{
    private static readonly ContractTerms Terms = new(
        "c0ffee", "02" + new string('a', 64), "03" + new string('b', 64), "key=", 1500, 3600, "n1");

    [Fact]
    public void The_description_hash_is_sha256_of_the_canonical_terms_and_changes_with_every_field()
    {
        var hash = Convert.ToHexString(Terms.DescriptionHash());
        Assert.Equal(hash, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Terms.Canonical))));
        Assert.StartsWith("impvpn-terms-v1\n", Terms.Canonical);

        ContractTerms[] variants =
        [
            Terms with { PriceSat = 1501 },
            Terms with { DurationSeconds = 3601 },
            Terms with { BuyerWireGuardKey = "other=" },
            Terms with { SellerPubKey = "02" + new string('c', 64) },
            Terms with { Nonce = "n2" },
            Terms with { ContractId = "c0ffef" },
            Terms with { Purpose = "refresh" },
        ];
        Assert.All(variants, v => Assert.NotEqual(hash, Convert.ToHexString(v.DescriptionHash())));
    }

    [Fact]
    public void Node_keys_are_compared_case_insensitively_in_the_terms()
    {
        var upper = Terms with { SellerPubKey = Terms.SellerPubKey.ToUpperInvariant() };
        Assert.Equal(Terms.DescriptionHash(), upper.DescriptionHash());
    }

    [Fact]
    public void A_promise_verifies_only_for_the_exact_terms_and_buyer_it_was_made_for()
    {
        var promise = new QuotePromise(QuotePromise.NewSecret());
        var offer = new TunnelOffer();
        var signature = promise.Sign("03bb", "n1", 1500, 3600, 1_800_000_000, offer);

        Assert.True(promise.Verify("03bb", "n1", 1500, 3600, 1_800_000_000, offer, signature));
        Assert.False(promise.Verify("03bb", "n1", 1499, 3600, 1_800_000_000, offer, signature));
        Assert.False(promise.Verify("03bb", "n1", 1500, 7200, 1_800_000_000, offer, signature));
        Assert.False(promise.Verify("03bb", "n1", 1500, 3600, 1_800_000_001, offer, signature));
        Assert.False(promise.Verify("03cc", "n1", 1500, 3600, 1_800_000_000, offer, signature));
        Assert.False(promise.Verify("03bb", "n2", 1500, 3600, 1_800_000_000, offer, signature));
        Assert.False(promise.Verify("03bb", "n1", 1500, 3600, 1_800_000_000, offer with { Mode = "exit" }, signature));
        Assert.False(promise.Verify("03bb", "n1", 1500, 3600, 1_800_000_000, offer, "zz"));
        Assert.False(new QuotePromise(QuotePromise.NewSecret()).Verify("03bb", "n1", 1500, 3600, 1_800_000_000, offer, signature));
    }
}
