using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// ssh-keys.list|add|remove: the admin account's SSH keys, shared by all peers. Keys come as text
/// (the CLI reads a file or stdin, one key a line); the daemon opens no file a client names. Adding
/// and removing are checked read-modify-writes (<see cref="ConfigStore.Checked"/>): two sessions
/// removing the last two keys at once cannot both pass the rule that a way in must remain.
/// </summary>
internal sealed class SshKeyCommands(SshKeys keys, ConfigStore config)
{
    public void Register(ApiRouter router) => router
        .Add("sshkeys.list", _ => List("SSH keys of the admin account"))
        .Add("sshkeys.add", r => config.Checked(() => Add(r)))
        .Add("sshkeys.remove", r => config.Checked(() => Remove(r)));

    private JsonObject List(string title) => new()
    {
        ["title"] = title,
        ["keys"] = new JsonArray(keys.List().Select(k => (JsonNode)SshKeys.Describe(k)).ToArray()),
    };

    private JsonObject Add(ApiRequest r)
    {
        var text = r.WithoutPaths("file").RequiredString("keys");
        if (text.Length > SshKeyLines.MaxBytes)
            throw ApiException.BadArgs($"more than {SshKeyLines.MaxBytes / 1024} KiB of keys; give a few keys, one a line; no key was added");
        var added = keys.Add(SshKeyLines.Parse(text), r.OptionalString("name"), r.User, r.Channel, r.OnBehalfOf);
        var result = List($"{added.Count} SSH key(s) added: {string.Join(", ", added.Select(k => k.Name))}");
        return result;
    }

    private JsonObject Remove(ApiRequest r)
    {
        var removed = keys.Remove(r.RequiredString("key"), r.User, r.Channel, r.OnBehalfOf);
        return List($"SSH key '{removed.Name}' ({removed.Key.Fingerprint}) removed");
    }
}
