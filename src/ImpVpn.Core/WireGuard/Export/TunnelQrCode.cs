using ImpVpn.Core.Files;
using QRCoder;

namespace ImpVpn.Core.WireGuard.Export;

/// <summary>A tunnel's wg-quick config as a QR code, the way WireGuard's phone apps import tunnels.
/// Uses QRCoder (MIT, widely used, pure managed code: no System.Drawing at run time).</summary>
public static class TunnelQrCode
{
    /// <summary>The QR code drawn with block characters, for a terminal. Contains the private key.</summary>
    public static string ToTerminalText(WgQuickConfig config)
    {
        using var data = Encode(config);
        using var code = new AsciiQRCode(data);
        // Full blocks on a light quiet zone scan reliably from most terminals.
        return code.GetGraphic(1, "██", "  ", drawQuietZones: true, endOfLine: "\n");
    }

    public static byte[] ToPng(WgQuickConfig config, int pixelsPerModule = 8)
    {
        using var data = Encode(config);
        using var code = new PngByteQRCode(data);
        return code.GetGraphic(pixelsPerModule);
    }

    /// <summary>Writes the PNG with mode 0600: the picture holds the private key.</summary>
    public static void SavePng(WgQuickConfig config, string path) => OwnerOnlyFile.WriteAllBytes(path, ToPng(config));

    private static QRCodeData Encode(WgQuickConfig config)
    {
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(config.Render(), QRCodeGenerator.ECCLevel.M);
    }
}
