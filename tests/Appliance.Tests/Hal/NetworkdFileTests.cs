using System.Net;
using Appliance.Hal;

namespace Appliance.Tests.Hal;

/// <summary>The systemd-networkd file rendered from a peer's IPv4 plan: exact content per case, refusals naming the value.</summary>
public sealed class NetworkdFileTests
{
    private const string Header =
        "# Written by applianced from this peer's ipv4 settings; replaced on every change and removed\n" +
        "# when the peer has none. Edit the settings with appliancectl, not this file.\n";

    private static InterfaceAddress A(string s) => InterfaceAddress.Parse(s);

    [Fact]
    public void Static_address_with_gateway_and_additional_addresses()
    {
        var plan = new AddressPlan(A("198.18.0.11/24"), IPAddress.Parse("198.18.0.1"), [A("198.18.0.21/24"), A("198.18.5.5/32")]);
        Assert.Equal(Header + """
            [Match]
            Name=eth0

            [Network]
            DHCP=no
            LinkLocalAddressing=no
            IPv6AcceptRA=no
            ConfigureWithoutCarrier=yes
            Address=198.18.0.11/24
            Address=198.18.0.21/24
            Address=198.18.5.5/32
            Gateway=198.18.0.1

            """.ReplaceLineEndings("\n"), NetworkdFile.Render("eth0", plan));
    }

    [Fact]
    public void Static_address_alone_has_no_gateway_line()
    {
        Assert.Equal(Header + """
            [Match]
            Name=lan0

            [Network]
            DHCP=no
            LinkLocalAddressing=no
            IPv6AcceptRA=no
            ConfigureWithoutCarrier=yes
            Address=198.18.7.1/32

            """.ReplaceLineEndings("\n"), NetworkdFile.Render("lan0", new AddressPlan(A("198.18.7.1/32"), null, [])));
    }

    [Fact]
    public void Additional_addresses_without_a_primary_keep_dhcp_for_the_primary()
    {
        Assert.Equal(Header + """
            [Match]
            Name=eth0

            [Network]
            DHCP=ipv4
            LinkLocalAddressing=no
            IPv6AcceptRA=no
            Address=198.18.9.9/32

            """.ReplaceLineEndings("\n"), NetworkdFile.Render("eth0", new AddressPlan(null, null, [A("198.18.9.9/32")])));
    }

    [Fact]
    public void A_plan_with_nothing_in_it_means_no_file()
    {
        Assert.Null(NetworkdFile.Render("eth0", new AddressPlan(null, null, [])));
    }

    [Fact]
    public void A_repeated_address_is_written_once()
    {
        var text = NetworkdFile.Render("eth0", new AddressPlan(A("198.18.0.11/24"), null, [A("198.18.0.11/24"), A("198.18.0.12/24")]))!;
        Assert.Equal(["Address=198.18.0.11/24", "Address=198.18.0.12/24"], text.Split('\n').Where(l => l.StartsWith("Address=")));
    }

    [Theory]
    [InlineData("eth*", "interface name 'eth*'")]
    [InlineData("!eth0", "interface name '!eth0'")]
    [InlineData("eth 0", "interface name 'eth 0'")]
    [InlineData("a-name-longer-than-15", "interface name 'a-name-longer-than-15'")]
    public void Bad_interface_names_are_refused_by_name(string name, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => NetworkdFile.Render(name, new AddressPlan(A("198.18.0.11/24"), null, [])));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Addresses_networkd_would_misread_are_refused_by_value()
    {
        // networkd reads 0.0.0.0/N as "any free address from a pool".
        Assert.Contains("address '0.0.0.0/24'", Assert.Throws<ArgumentException>(() =>
            NetworkdFile.Render("eth0", new AddressPlan(A("0.0.0.0/24"), null, []))).Message);
        Assert.Contains("address 'fd00::1/64'", Assert.Throws<ArgumentException>(() =>
            NetworkdFile.Render("eth0", new AddressPlan(new InterfaceAddress(IPAddress.Parse("fd00::1"), 64), null, []))).Message);
        Assert.Contains("address '198.18.0.11/40'", Assert.Throws<ArgumentException>(() =>
            NetworkdFile.Render("eth0", new AddressPlan(null, null, [new InterfaceAddress(IPAddress.Parse("198.18.0.11"), 40)]))).Message);
        Assert.Contains("gateway 'fd00::1'", Assert.Throws<ArgumentException>(() =>
            NetworkdFile.Render("eth0", new AddressPlan(A("198.18.0.11/24"), IPAddress.Parse("fd00::1"), []))).Message);
        Assert.Contains("gateway '0.0.0.0'", Assert.Throws<ArgumentException>(() =>
            NetworkdFile.Render("eth0", new AddressPlan(A("198.18.0.11/24"), IPAddress.Any, []))).Message);
    }

    [Fact]
    public void Read_gives_back_what_render_wrote_and_skips_lines_edited_by_hand()
    {
        var plan = new AddressPlan(A("198.18.0.11/24"), IPAddress.Parse("198.18.0.1"), [A("198.18.0.21/24")]);
        var (addresses, gateway) = NetworkdFile.Read(NetworkdFile.Render("eth0", plan));
        Assert.Equal(plan.AllAddresses, addresses);
        Assert.Equal(plan.Gateway, gateway);
        Assert.Equal([A("198.18.0.11/24")], NetworkdFile.Read("Address=198.18.0.11/24\nAddress=nonsense\nGateway=also-nonsense\n").Addresses);
        Assert.Empty(NetworkdFile.Read(null).Addresses);
    }

    [Fact]
    public void File_name_sorts_before_the_generator_and_image_files()
    {
        var ours = NetworkdFile.FileName("eth0");
        Assert.Equal("05-appliance-eth0.network", ours);
        // networkd applies the first matching file by name: ours, then the kernel command line's, then the image's DHCP file.
        Assert.Equal([ours, "90-eth0.network", "99-eth0.network"], new[] { "99-eth0.network", "90-eth0.network", ours }.Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Image.ImageBootTests.RepoRoot(), "image", "overlay", "etc", "systemd", "network", "99-eth0.network")));
    }
}
