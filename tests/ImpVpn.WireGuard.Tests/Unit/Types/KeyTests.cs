using System.Diagnostics;
using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

public sealed class KeyTests
{
    [Fact]
    public void Generated_private_keys_are_clamped_and_distinct()
    {
        using var a = WireGuardPrivateKey.Generate();
        using var b = WireGuardPrivateKey.Generate();
        var bytes = Convert.FromBase64String(a.RevealBase64());
        Assert.Equal(32, bytes.Length);
        Assert.Equal(0, bytes[0] & 7);
        Assert.Equal(0x40, bytes[31] & 0xC0);
        Assert.NotEqual(a.RevealBase64(), b.RevealBase64());
        Assert.Equal(44, a.RevealBase64().Length);
    }

    [Fact]
    public void Private_key_text_round_trips_through_base64_and_hex()
    {
        using var key = WireGuardPrivateKey.Generate();
        using var fromBase64 = WireGuardPrivateKey.Parse(key.RevealBase64());
        using var fromHex = WireGuardPrivateKey.Parse(key.RevealHex());
        Assert.Equal(key.PublicKey, fromBase64.PublicKey);
        Assert.Equal(key.PublicKey, fromHex.PublicKey);
    }

    [Fact]
    public void ToString_of_a_private_key_never_shows_it()
    {
        using var key = WireGuardPrivateKey.Generate();
        var text = key.ToString();
        Assert.DoesNotContain(key.RevealBase64(), text);
        Assert.DoesNotContain(key.RevealHex(), text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(key.PublicKey.ToBase64(), text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("AAAA")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz=")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    public void Malformed_keys_are_refused_with_a_clear_error_that_does_not_echo_them(string text)
    {
        var error = Assert.Throws<WireGuardKeyFormatException>(() => WireGuardPublicKey.Parse(text));
        Assert.Contains("44 characters", error.Message);
        if (text.Length > 4)
        {
            Assert.DoesNotContain(text, error.Message);
        }
    }

    [SkippableFact]
    public async Task Public_key_matches_what_wg_pubkey_derives()
    {
        Skip.IfNot(WireGuardPrerequisites.CommandExists("wg"), "wg (wireguard-tools) is not installed");
        using var key = WireGuardPrivateKey.Generate();
        var start = new ProcessStartInfo("wg", "pubkey") { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(key.RevealBase64());
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.Equal(output, key.PublicKey.ToBase64());
    }

    [Fact]
    public void A_user_key_is_clamped_like_wireguard_does()
    {
        var raw = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        using var key = WireGuardPrivateKey.Parse(Convert.ToBase64String(raw));
        var stored = Convert.FromBase64String(key.RevealBase64());
        Assert.Equal(0xF8, stored[0]);
        Assert.Equal(0x7F, stored[31]);
    }

    [Fact]
    public void A_disposed_private_key_cannot_be_revealed_so_it_is_never_sent_as_all_zeros()
    {
        var key = WireGuardPrivateKey.Generate();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(key.RevealBase64);
        Assert.Throws<ObjectDisposedException>(key.RevealHex);
        Assert.Throws<ObjectDisposedException>(() => key.PublicKey);
        Assert.Throws<ObjectDisposedException>(() => UapiCodec.EncodeSet(new DeviceConfig { PrivateKey = key }));
        Assert.Equal("WireGuardPrivateKey(disposed)", key.ToString());
    }
}
