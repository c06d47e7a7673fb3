using System.Security.Cryptography;
using System.Text;
using ImpVpn.Core.Files;

namespace ImpVpn.Daemon;

/// <summary>
/// The API's credential: 32 random bytes, kept hex-encoded in an owner-only file (made at the first start, kept
/// across restarts so clients keep working), sent by clients as <c>authorization: Bearer &lt;hex&gt;</c>. Compared
/// in constant time; never logged or put in a message.
/// </summary>
internal sealed class ApiToken
{
    private readonly byte[] _expected;

    private ApiToken(byte[] expected) => _expected = expected;

    public static ApiToken LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                OwnerOnlyFile.CreatePrivateFolder(folder);
            }

            OwnerOnlyFile.WriteAllText(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant() + "\n");
        }

        var text = File.ReadAllText(path).Trim();
        if (text.Length < 32)
        {
            // A token file the operator truncated or emptied would otherwise let a short guess through.
            throw new InvalidDataException($"The API token file {path} holds fewer than 32 characters; delete it to have a new token made.");
        }

        return new ApiToken(Encoding.ASCII.GetBytes(text.ToLowerInvariant()));
    }

    /// <summary>Whether an <c>authorization</c> header's value carries this token.</summary>
    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.ASCII.GetBytes(authorization[Scheme.Length..].Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
