namespace Appliance.Tests.Ctl;

public class CtlOutputTests
{
    private const string Status = """
        {"host":"node-a","peerId":"p1","version":"1.0.0","uptimeSeconds":4242,"cluster":"2/2 active","alarms":1,
         "appliers":[{"name":"ipv4","state":"applied","reason":null},{"name":"firewall-staging","state":"failed","reason":"nft exited 1"}]}
        """;

    [Fact]
    public async Task Status_RendersAlignedKeyValuesAndATable()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("status", Status);

        var r = await CtlRun.RunAsync(daemon, "status");

        Assert.Equal(0, r.Code);
        Assert.Equal("""
            host     node-a
            peerId   p1
            version  1.0.0
            uptime   1 h 10 min
            cluster  2/2 active
            alarms   1
            appliers:
              name              state    reason
              ipv4              applied  -
              firewall-staging  failed   nft exited 1

            """.ReplaceLineEndings("\n"), r.Out);
    }

    [Fact]
    public async Task Table_ColumnsLineUp_WhateverTheCellWidths()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("alarms", """
            {"alarms":[{"id":7,"severity":"major","text":"peer 2 unreachable","raised":"2026-11-25T10:00:00Z","lowered":null},
                       {"id":12345,"severity":"minor","text":"fan","raised":"2026-11-25T11:00:00Z","lowered":"2026-11-25T11:05:00Z"}]}
            """);

        var r = await CtlRun.RunAsync(daemon, "alarms");

        var lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id     severity  text", lines[0]);
        foreach (var column in new[] { "severity", "text", "raised", "lowered" })
        {
            var at = lines[0].IndexOf(column, StringComparison.Ordinal);
            Assert.All(lines[1..], l => Assert.NotEqual(' ', l[at]));
            Assert.All(lines, l => Assert.Equal(' ', l[at - 1]));
        }
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));
    }

    [Fact]
    public async Task LogEntries_AreAHeadingLineWithTheValuesIndentedBelow_WithinAHundredColumns()
    {
        await using var daemon = new FakeDaemon();
        var value = "{" + string.Join(",", Enumerable.Range(1, 12).Select(i => $@"\""field{i}\"":\""value number {i}\""")) + "}"; // escaped for the JSON below
        daemon.Ok("log.read", $$"""
            {"title":"config log","entries":[
              {"time":"2026-12-06T01:02:03.4567+00:00","level":"change","message":"bridges.b1 replicated","user":"p1","channel":"peer","field":"bridges.b1","new":"{{value}}"},
              {"time":"2026-12-06T01:02:04+00:00","level":"change","message":"system.hostname changed","user":"admin","channel":"cli","field":"system.hostname","old":"a","new":"b"}]}
            """);

        var r = await CtlRun.RunAsync(daemon, "log", "config");

        var lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} columns: {l}"));
        Assert.Equal("2026-12-06 01:02:03  change    p1 (peer)    bridges.b1 replicated", lines[2]);
        Assert.StartsWith("    new:   {\"field1\":\"value number 1\",", lines[3], StringComparison.Ordinal);
        Assert.True(lines.Length > 6, "the long value wraps onto more lines");
        Assert.All(lines[4..^3], l => Assert.StartsWith(new string(' ', 11) + "\"", l, StringComparison.Ordinal));
        Assert.EndsWith("\"field12\":\"value number 12\"}", lines[^4], StringComparison.Ordinal);
        Assert.Equal(["2026-12-06 01:02:04  change    admin (cli)  system.hostname changed", "    old:   a", "    new:   b"], lines[^3..]);
    }

    [Fact]
    public async Task Table_TakesColumnsAddedByLaterRows_AndShowsEmptyCellsAsDash()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("alarms", """
            {"title":"alarms","alarms":[{"id":"t1","severity":"info","text":"up"},
                                        {"id":"t2","severity":"error","text":"down","peer":"node-b"},
                                        {"id":"t3","severity":"","text":"x"}]}
            """);

        var r = await CtlRun.RunAsync(daemon, "alarms");

        Assert.Equal("""
            alarms
            ------
            id  severity  text  peer
            t1  info      up    -
            t2  error     down  node-b
            t3  -         x     -

            """.ReplaceLineEndings("\n"), r.Out);
    }

    [Fact]
    public async Task NestedResult_RendersTitleBlocksAndWarningsOnStderr()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.show", """
            {"title":"Configuration","warnings":["peer 2 has not confirmed"],
             "sections":[{"section":"dns","scope":"shared","values":{"servers":["9.9.9.9","1.1.1.1"],"search":"lab"}},
                         {"section":"routes","scope":"shared","items":[{"name":"office","to":"198.18.5.0/24"}]}]}
            """);

        var r = await CtlRun.RunAsync(daemon, "config", "show");

        Assert.Equal(0, r.Code);
        Assert.Equal("warning: peer 2 has not confirmed\n", r.Err);
        Assert.Equal("""
            Configuration
            -------------
            sections:
              section  dns
              scope    shared
              values:
                servers  9.9.9.9, 1.1.1.1
                search   lab

              section  routes
              scope    shared
              items:
                name    to
                office  198.18.5.0/24

            """.ReplaceLineEndings("\n"), r.Out);
    }

    [Fact]
    public async Task Json_PrintsTheResultAsIs_Stable()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("cluster.show", """{"clusterId":"c-1","key":"set","peers":[{"peer":"Peer 1","address":"198.18.0.2","status":"up","host":"node-b","rttMs":0.4}],"warnings":["w"]}""");

        var first = await CtlRun.RunAsync(daemon, "--json", "cluster", "show");
        var second = await CtlRun.RunAsync(daemon, "cluster", "show", "--json");

        Assert.Equal(0, first.Code);
        Assert.Equal("""
            {
              "clusterId": "c-1",
              "key": "set",
              "peers": [
                {
                  "peer": "Peer 1",
                  "address": "198.18.0.2",
                  "status": "up",
                  "host": "node-b",
                  "rttMs": 0.4
                }
              ],
              "warnings": [
                "w"
              ]
            }

            """.ReplaceLineEndings("\n"), first.Out);
        Assert.Equal(first.Out, second.Out);
        Assert.Equal("", first.Err);
    }

    [Fact]
    public async Task Json_ErrorGoesToStderrAsJson_WithTheSameExitCode()
    {
        await using var daemon = new FakeDaemon();
        daemon.Fail("config.get", """{"kind":"notfound","message":"no field dns.nope","field":"dns.nope"}""");

        var r = await CtlRun.RunAsync(daemon, "--json", "config", "get", "dns.nope");
        var usage = await CtlRun.RunAsync(daemon, "--json", "config", "get");

        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        var error = System.Text.Json.Nodes.JsonNode.Parse(r.Err)!["error"]!;
        Assert.Equal("notfound", (string)error["kind"]!);
        Assert.Equal("dns.nope", (string)error["field"]!);
        Assert.Equal(1, usage.Code);
        Assert.Equal("usage", (string)System.Text.Json.Nodes.JsonNode.Parse(usage.Err)!["error"]!["kind"]!);
    }

    [Fact]
    public async Task ControlCharactersFromTheDaemon_AreNotPassedToTheTerminal()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.get", """{"path":"system.motd","value":"hi\u001b[2Jthere"}""");

        var r = await CtlRun.RunAsync(daemon, "config", "get", "system.motd");

        Assert.Contains("hi\\x1b[2Jthere", r.Out);
        Assert.DoesNotContain("\u001b", r.Out);
    }
}
