using System.Globalization;
using System.Text;

namespace ImpVpn.Core.Buying;

/// <summary>
/// Another node's text (an alias from its announcement, a field of a seller's answer) made fit for a terminal and a
/// log line: every character that is not visible text is replaced by '?', namely controls (escape sequences, new
/// lines), format characters (bidi overrides U+202A–U+202E and isolates U+2066–U+2069 that reorder what follows,
/// zero-width U+200B–U+200F, U+FEFF), line and paragraph separators (U+2028, U+2029), lone surrogates and private-use
/// characters; and the text is cut to a length, with '…' where it was cut. LND checks an alias only for its 32 bytes,
/// so anything can come in it.
/// </summary>
public static class UntrustedText
{
    /// <summary>The longest alias shown, in characters (LND's limit is 32 bytes, so a longer one is not LND's).</summary>
    public const int AliasLength = 32;

    public static string Clean(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var clean = new StringBuilder();
        var count = 0;
        // By rune, so a pair (an emoji) is kept whole and counted once; EnumerateRunes yields U+FFFD for a lone
        // surrogate, which is replaced below as well.
        foreach (var rune in text.EnumerateRunes())
        {
            if (count == maxLength)
            {
                return clean.Append('…').ToString();
            }

            clean.Append(Visible(rune) ? rune.ToString() : "?");
            count++;
        }

        return clean.ToString();
    }

    /// <summary>An alias as shown: cleaned and cut to <see cref="AliasLength"/>.</summary>
    public static string Alias(string alias) => Clean(alias, AliasLength);

    private static bool Visible(Rune rune) =>
        rune != Rune.ReplacementChar
        && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse);
}
