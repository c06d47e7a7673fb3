using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;
using ImpVpn.Lnd.Rpc.Peersrpc;
using ImpVpn.LndSim.Network;

namespace ImpVpn.LndSim.Services;

/// <summary>
/// peersrpc.UpdateNodeAnnouncement's rules, as LND applies them (lnrpc/peersrpc/peers_server.go, feature/manager.go
/// UpdateFeatureSets, lnwire RawFeatureVector ValidatePairs and ValidateUpdate): a feature added must not be set
/// and one removed must be set; a bit LND knows may be neither set nor unset ("feature is used in standard protocol
/// set"); both bits of a pair may not be set ("feature pair exists"); a colour is #RRGGBB, an alias at most 32 bytes
/// of UTF-8; an address may not be both added and removed; a request that changes nothing is refused. Every refusal
/// is gRPC Unknown with LND's text, and nothing of a refused request is applied. The answer lists the operations
/// done (lnrpc.Op per entity), with LND's wording.
/// </summary>
public static partial class NodeAnnouncementUpdate
{
    public static (NodeAnnouncement Next, NodeAnnouncementUpdateResponse Answer) Apply(NodeAnnouncement current, NodeAnnouncementUpdateRequest request)
    {
        var answer = new NodeAnnouncementUpdateResponse();
        var next = current;
        var featureUpdates = request.FeatureUpdates.Count > 0;
        var modified = false;
        if (featureUpdates)
        {
            var (features, op) = Features(current.Features, request.FeatureUpdates);
            next = next with { Features = features };
            answer.Ops.Add(op);
        }

        if (request.Color.Length > 0)
        {
            if (!ColorPattern().IsMatch(request.Color))
            {
                throw Refused("unable to parse color: color must be specified using a hexadecimal value in the form #RRGGBB");
            }

            var color = request.Color.ToLowerInvariant();
            if (!string.Equals(color, current.Color, StringComparison.OrdinalIgnoreCase))
            {
                var rgb = Convert.FromHexString(color[1..]);
                // Go prints a color.RGBA as {R G B A}; ParseHexColor leaves A at 0.
                answer.Ops.Add(new Op { Entity = "color", Actions = { $"changed to {{{rgb[0]} {rgb[1]} {rgb[2]} 0}}" } });
                next = next with { Color = color };
                modified = true;
            }
        }

        if (request.Alias.Length > 0)
        {
            var length = Encoding.UTF8.GetByteCount(request.Alias);
            if (length > 32)
            {
                throw Refused($"invalid alias value: alias too large: max is 32, got {length}");
            }

            if (request.Alias != current.Alias)
            {
                answer.Ops.Add(new Op { Entity = "alias", Actions = { $"changed to {request.Alias}" } });
                next = next with { Alias = request.Alias };
                modified = true;
            }
        }

        if (request.AddressUpdates.Count > 0)
        {
            var (addresses, op) = Addresses(current.Addresses, request.AddressUpdates);
            answer.Ops.Add(op);
            next = next with { Addresses = addresses };
            modified = true;
        }

        if (!modified && !featureUpdates)
        {
            throw Refused("unable to detect any new values to update the node announcement");
        }

        // The feature manager's checks run when the announcement is generated, after the request was read.
        if (featureUpdates)
        {
            CheckFeatureSet(current.Features, next.Features);
        }

        return (next, answer);
    }

    private static (IReadOnlySet<uint> Features, Op Op) Features(IReadOnlySet<uint> current, IEnumerable<UpdateFeatureAction> updates)
    {
        var op = new Op { Entity = "features" };
        var raw = new HashSet<uint>(current);
        foreach (var update in updates)
        {
            // LND converts the enum to its uint16 FeatureBit.
            var bit = (uint)(ushort)(int)update.FeatureBit;
            switch (update.Action)
            {
                case UpdateAction.Add:
                    if (!raw.Add(bit))
                    {
                        throw Refused($"error trying to update node features: invalid add action for bit {GoName(update.FeatureBit)}, bit is already set");
                    }

                    // LND looks the name up in lnwire.Features: an unknown bit's is empty.
                    op.Actions.Add($"{LndFeatureNames.NameOf(bit)} set");
                    break;
                case UpdateAction.Remove:
                    if (!raw.Remove(bit))
                    {
                        throw Refused($"error trying to update node features: invalid remove action for bit {GoName(update.FeatureBit)}, bit is already unset");
                    }

                    op.Actions.Add($"{LndFeatureNames.NameOf(bit)} unset");
                    break;
                default:
                    throw Refused($"error trying to update node features: invalid update action ({(int)update.Action}) for bit {GoName(update.FeatureBit)}");
            }
        }

        // peersrpc validates the dependencies of the new vector at once, before the feature manager's checks.
        if (LndFeatureDeps.Missing(raw) is { } missing)
        {
            throw Refused($"error trying to update node features: invalid feature set (SetNodeAnn): missing feature dependency: {missing}");
        }

        return (raw, op);
    }

    private static void CheckFeatureSet(IReadOnlySet<uint> current, IReadOnlySet<uint> proposed)
    {
        if (proposed.Any(bit => proposed.Contains(bit ^ 1)))
        {
            throw Refused("unable to generate new node announcement: feature pair exists");
        }

        foreach (var bit in proposed.Where(b => !current.Contains(b)))
        {
            if (LndFeatureNames.NameOf(bit) is { } name)
            {
                throw Refused($"unable to generate new node announcement: can't set feature bit {bit} ({name}): feature is used in standard protocol set");
            }
        }

        foreach (var bit in current.Where(b => !proposed.Contains(b)))
        {
            if (LndFeatureNames.NameOf(bit) is { } name)
            {
                throw Refused($"unable to generate new node announcement: can't unset feature bit {bit} ({name}): feature is used in standard protocol set");
            }
        }
    }

    private static (IReadOnlyList<string> Addresses, Op Op) Addresses(IReadOnlyList<string> current, IEnumerable<UpdateAddressAction> updates)
    {
        var add = new List<string>();
        var remove = new List<string>();
        foreach (var update in updates)
        {
            var address = ParseAddress(update.Address);
            switch (update.Action)
            {
                case UpdateAction.Add:
                    add.Add(address);
                    break;
                case UpdateAction.Remove:
                    remove.Add(address);
                    break;
                default:
                    throw Refused($"error trying to update node addresses: invalid address update action: {(int)update.Action}");
            }
        }

        if (remove.FirstOrDefault(add.Contains) is { } both)
        {
            throw Refused($"error trying to update node addresses: invalid updates for removing AND adding {both}");
        }

        var op = new Op { Entity = "addresses" };
        var next = new List<string>();
        foreach (var address in current)
        {
            if (remove.Contains(address))
            {
                op.Actions.Add($"{address} removed");
                continue;
            }

            next.Add(address);
        }

        foreach (var address in add.Where(a => !next.Contains(a)))
        {
            op.Actions.Add($"{address} added");
            next.Add(address);
        }

        return (next, op);
    }

    /// <summary>host:port with an IP literal (LND resolves host names too; the simulator has no resolver to ask).
    /// LND adds its default port 9735 to an address without one.</summary>
    private static string ParseAddress(string text)
    {
        var withPort = text.Contains("]:", StringComparison.Ordinal) || (text.Count(c => c == ':') == 1) ? text : $"{text}:9735";
        if (!System.Net.IPEndPoint.TryParse(withPort, out var endpoint))
        {
            throw Refused($"error trying to update node addresses: unable to resolve address {text}: invalid address");
        }

        return endpoint.ToString();
    }

    /// <summary>How Go prints an lnrpc.FeatureBit: its proto name when it has one, else the number.</summary>
    private static string GoName(FeatureBit bit) =>
        LightningReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(FeatureBit)).FindValueByNumber((int)bit)?.Name ?? ((int)bit).ToString(CultureInfo.InvariantCulture);

    private static Grpc.Core.RpcException Refused(string detail) => SimErrors.Of(StatusCode.Unknown, detail);

    // \z, not $: .NET's $ also matches before a final "\n", which Go's regexp (and so LND) refuses.
    [GeneratedRegex("^#[0-9a-fA-F]{6}\\z")]
    private static partial Regex ColorPattern();
}
