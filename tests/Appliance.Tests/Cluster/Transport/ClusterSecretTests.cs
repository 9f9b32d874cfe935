using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Crypto;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>
/// The cluster secret: Argon2id of the key, salted with the cluster id. Known answers come from the
/// reference implementation (Debian's argon2 CLI, `echo -n KEY | argon2 SALT -id -t T -m M -p 1 -l 32 -r`),
/// so a change to the salt or the cost, which would split upgraded peers from the others, fails here.
/// </summary>
public class ClusterSecretTests(ITestOutputHelper output) : TransportTestBase(output)
{
    [Fact]
    public async Task SameKey_DifferentClusterIds_GiveDifferentSecrets()
    {
        string?[] ids = [null, "cluster-a", "cluster-b", "0b0c2a0e-1111-2222-3333-444455556666", "cluster-a/"];
        var secrets = new List<string>();
        foreach (var id in ids)
            secrets.Add(Convert.ToHexString((await ClusterSecret.DeriveAsync(Key, id, Argon2Cost.Minimum).WaitAsync(Unexpected)).DerivedKey));
        Assert.Equal(ids.Length, secrets.Distinct().Count());

        // At the real cost too: the secrets the two clusters of the process test prove with.
        Assert.NotEqual(Convert.ToHexString(Secret(Key, "cluster-a").DerivedKey), Convert.ToHexString(Secret(Key, "cluster-b").DerivedKey));
    }

    [Fact]
    public async Task KnownAnswers_FromTheReferenceImplementation()
    {
        Assert.Equal("033FA1767ED22CF603551C237395829495EFFB04980A156A8432DAC32F7DBD6C",
            Convert.ToHexString((await ClusterSecret.DeriveAsync(Key, "cluster-a", Argon2Cost.Minimum).WaitAsync(Unexpected)).DerivedKey));
        // The production cost, 64 MiB and 3 passes (-m 16 -t 3): what every peer of a cluster must agree on.
        Assert.Equal("F423B60DD842A42A84ACB2C04E3D8A10A5FFE69343BB77D30A0471918F2A83B6", Convert.ToHexString(Secret(Key, "cluster-a").DerivedKey));
        Assert.Equal("9547749CDA78E8FD92063F1486AD949F66D9F19C7927F6B48A1DEE10FB1EA711", Convert.ToHexString(Secret(Key).DerivedKey));
    }

    [Fact]
    public async Task Derive_IsCachedPerKeyIdAndCost_AndRefusesWhatCannotBeAnnounced()
    {
        Assert.Same(Secret(), Secret());
        Assert.NotSame(Secret(), Secret(Key, "cluster-a"));
        Assert.NotSame(await ClusterSecret.DeriveAsync(Key, "cluster-a", Argon2Cost.Minimum), Secret(Key, "cluster-a"));
        Assert.Throws<ArgumentException>(() => ClusterSecret.Derive(""));
        Assert.Throws<ArgumentException>(() => ClusterSecret.Derive(Key, ""));
        Assert.Throws<ArgumentException>(() => ClusterSecret.Derive(Key, new string('x', ClusterSecret.MaxClusterIdBytes + 1)));
        Assert.NotNull(ClusterSecret.WeakKeyWarning("secret"));
        Assert.Null(ClusterSecret.WeakKeyWarning(Key));
    }

    [Fact]
    public void Credentials_NeverShowTheKey()
    {
        var shown = new ClusterCredentials(Key, "cluster-a").ToString();
        Assert.DoesNotContain(Key, shown);
        Assert.Contains("cluster-a", shown);
    }
}
