using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace ImpVpn.Core.Protocol;

/// <summary>
/// Checks a message's params (or result) once bound, so that a value the types promise is there is there: a field
/// declared non-nullable that came missing or null, a duration no <see cref="TimeSpan"/> holds, a negative amount or
/// a time no date holds is invalid params (-32602), refused before any handler reads it, instead of failing deep
/// inside one as an internal error. The rules read the records' own nullable annotations, so a new message type is
/// checked without being listed here.
/// </summary>
internal static class RequiredParams
{
    /// <summary>The longest duration the protocol carries: whole seconds a <see cref="TimeSpan"/> can hold.</summary>
    public static readonly long MaxDurationSeconds = (long)TimeSpan.MaxValue.TotalSeconds - 1;

    /// <summary>The latest time the protocol carries: 9999-12-31, the last second a date holds.</summary>
    public static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private static readonly ConcurrentDictionary<Type, Rule[]> Rules = new();

    public static T Check<T>(T value)
        where T : class
    {
        Check(value, typeof(T), depth: 0);
        return value;
    }

    private static void Check(object value, Type type, int depth)
    {
        foreach (var rule in Rules.GetOrAdd(type, RulesFor))
        {
            var field = rule.Property.GetValue(value);
            if (field is null)
            {
                if (rule.Required)
                {
                    throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"{rule.WireName} is missing or null.");
                }

                continue;
            }

            switch (rule.Property.Name, field)
            {
                case ("DurationSeconds", long seconds) when seconds < 1 || seconds > MaxDurationSeconds:
                    throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"{rule.WireName} must be a whole number of seconds from 1 to {MaxDurationSeconds}.");
                case ("PriceSat", long price) when price < 0:
                    throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"{rule.WireName} must not be negative.");
                case ("ExpiresAt", long at) when at < 0 || at > MaxUnixSeconds:
                    throw new ProtocolException(ProtocolErrorCode.InvalidParams, $"{rule.WireName} must be a Unix time from 0 to {MaxUnixSeconds}.");
            }

            // Nested records of the protocol (an offer) follow the same rules; the depth bound is JSON's own.
            if (rule.Property.PropertyType.Namespace == typeof(RequiredParams).Namespace && depth < 8)
            {
                Check(field, rule.Property.PropertyType, depth + 1);
            }
        }
    }

    private static Rule[] RulesFor(Type type)
    {
        // NullabilityInfoContext is not thread-safe: one per type, and each type's rules are made once.
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .Select(p => new Rule(
                p,
                WireName(p),
                !p.PropertyType.IsValueType && nullability.Create(p).ReadState == NullabilityState.NotNull))
            .ToArray();
    }

    private static string WireName(PropertyInfo property) =>
        property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name
        ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);

    private sealed record Rule(PropertyInfo Property, string WireName, bool Required);
}
