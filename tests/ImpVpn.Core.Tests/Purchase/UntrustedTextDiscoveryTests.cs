using ImpVpn.Core.Buying;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>Another node's text (an alias, an answer's field) reaches a terminal with nothing invisible left in it
/// and no longer than its bound. Named so the Discovery filter runs it.</summary>
public sealed class UntrustedTextDiscoveryTests
{
    [Theory]
    [InlineData("evil\u202Egnp.exe", "evil?gnp.exe")] // right-to-left override
    [InlineData("a\u2066b\u2069c", "a?b?c")] // bidi isolates
    [InlineData("pay\u200Bme\u200F", "pay?me?")] // zero-width space, right-to-left mark
    [InlineData("\uFEFFnode", "?node")] // byte order mark
    [InlineData("one\u2028two\u2029", "one?two?")] // line and paragraph separators
    [InlineData("\u001B[31mred\u001B[0m\n", "?[31mred?[0m?")] // terminal escapes, new line
    [InlineData("\uE000private", "?private")] // private use
    [InlineData("ok \U0001F680 node", "ok \U0001F680 node")] // a pair is text, kept whole
    public void Invisible_characters_are_replaced(string text, string shown) =>
        Assert.Equal(shown, UntrustedText.Alias(text));

    // A Fact, not InlineData: a lone surrogate does not survive the theory's serialisation.
    [Fact]
    public void A_lone_surrogate_is_replaced() => Assert.Equal("half?end", UntrustedText.Alias("half\uD800end"));

    [Fact]
    public void An_alias_is_cut_to_its_bound_by_character_never_splitting_a_pair()
    {
        Assert.Equal(new string('a', 32) + "…", UntrustedText.Alias(new string('a', 40)));
        Assert.Equal(new string('a', 32), UntrustedText.Alias(new string('a', 32)));
        var rockets = string.Concat(Enumerable.Repeat("\U0001F680", 33));
        Assert.Equal(string.Concat(Enumerable.Repeat("\U0001F680", 32)) + "…", UntrustedText.Alias(rockets));
    }
}
