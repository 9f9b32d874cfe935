using Appliance.Ctl;
using Appliance.Daemon.Config;

namespace Appliance.Tests.Ctl;

/// <summary>Which words name a secret field: resolved as the daemon resolves paths, and wider for the history.</summary>
public class CtlSecretWordsTests
{
    private static readonly SectionCatalog Catalog = SectionCatalog.From(ConfigSchema.Describe())!;

    [Theory]
    [InlineData("root.password", "root.password")]
    [InlineData("Root.PASSWORD=x", "root.password")]
    [InlineData("bridges.eu.1.password", "bridges.eu.1.password")]
    [InlineData("snmp.community", "snmp.community")]
    [InlineData("cluster.key", "cluster.key")]
    [InlineData("bridges.password", null)] // the item "password", as the daemon reads it
    [InlineData("bridges.b1.address", null)]
    [InlineData("dns.servers", null)]
    [InlineData("nosuch.password", null)]
    [InlineData("password", null)]
    public void SecretPath_ResolvesLikeTheDaemon(string word, string? expected) =>
        Assert.Equal(expected, Catalog.SecretPath(word));

    [Theory]
    [InlineData("config set root.password x", true)]
    [InlineData("config set root.password", true)]
    [InlineData("--json config set Admin.Password=x", true)]
    [InlineData("config add bridges b1 address=198.18.0.5 password", true)]
    [InlineData("config add BRIDGES b1 PASSWORD=x", true)]
    [InlineData("cluster set-key x", true)]
    [InlineData("cluster set-key", true)]
    [InlineData("config add bridges b1 address=198.18.0.5 user=admin", false)]
    [InlineData("config set system.hostname password", false)]
    [InlineData("config show bridges", false)]
    [InlineData("status", false)]
    public void NamesSecret_InAnyForm(string line, bool expected) =>
        Assert.Equal(expected, HistoryFilter.NamesSecret(Tokenizer.Split(line), Catalog));
}
