// compare's plain part: how runs are written on the command line, which statistics it picks and
// the table it prints.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "sim/core/error.h"
#include "sim/sweep/compare.h"

using namespace memsim;
using namespace memsim::sweep;

TEST_CASE("compare's run specs", "[sweep]") {
    auto runs = parse_run_specs({"a/default.yaml", "big=a/default.yaml", "nommap:--set libc.mmap_max=0,libc.trim_threshold=-1",
                                 "x.yaml:--set a.b=1 --set c.d=2", ":cpu.frequency=2GHz", "a/default.yaml"});
    REQUIRE(runs.size() == 6);
    CHECK(runs[0].name == "default");
    CHECK(runs[0].config == "a/default.yaml");
    CHECK(runs[1].name == "big");
    CHECK(runs[2].name == "nommap");
    CHECK(runs[2].config == "a/default.yaml");  // the first run's configuration
    CHECK(runs[2].sets == std::vector<std::string>{"libc.mmap_max=0", "libc.trim_threshold=-1"});
    CHECK(runs[3].name == "x");
    CHECK(runs[3].config == "x.yaml");
    CHECK(runs[3].sets == std::vector<std::string>{"a.b=1", "c.d=2"});
    CHECK(runs[4].name == "cpu.frequency=2GHz");
    CHECK(runs[5].name == "default#2");  // the same file twice: names stay apart

    CHECK_THROWS_AS(parse_run_specs({"a=x.yaml", "a=y.yaml"}), InputError);
    CHECK_THROWS_AS(parse_run_spec("n:--set oops"), InputError);
    CHECK_THROWS_AS(parse_run_spec("=x.yaml"), InputError);
    CHECK_THROWS_AS(parse_run_spec("n:"), InputError);
}

TEST_CASE("compare's numbers", "[sweep]") {
    CHECK(format_number(1234567) == "1,234,567");
    CHECK(format_number(-1000) == "-1,000");
    CHECK(format_number(0.125) == "0.125");
    CHECK(format_number(std::nan("")) == "-");
    CHECK(format_relative(200, 250) == "+25.0%");  // (250 - 200) / 200
    CHECK(format_relative(200, 100) == "-50.0%");
    CHECK(format_relative(5, 5) == "0%");
    CHECK(format_relative(0, 3) == "+inf%");
    CHECK(format_relative(3000, 3001) == "+0.033%");  // 1 / 3000
}

TEST_CASE("compare picks statistics by glob in the globs' order and prints differences", "[sweep]") {
    RunResult a, b, c;
    a.spec.name = "base";
    a.stats = {{"libc.brk_calls", 10}, {"os.faults.minor", 200}, {"sim.time_ps", 1000}};
    b.spec.name = "other";
    b.stats = {{"libc.brk_calls", 12}, {"os.faults.minor", 150}, {"sim.time_ps", 1000}};
    c.spec.name = "broken";
    c.exit_code = 2;
    c.error = "memsim: error: x.yaml:3:5: unknown key";
    std::vector<RunResult> rs{a, b, c};
    std::vector<std::string> unmatched;
    auto names = select_stats(rs, {"os.*", "sim.time_ps", "libc.*", "dram.*", "os.faults.minor"}, &unmatched);
    CHECK(names == std::vector<std::string>{"os.faults.minor", "sim.time_ps", "libc.brk_calls"});
    CHECK(unmatched == std::vector<std::string>{"dram.*"});

    std::ostringstream table;
    write_comparison(table, rs, names, Format::Table);
    INFO(table.str());
    CHECK_THAT(table.str(), Catch::Contains("failed (exit 2)"));
    CHECK_THAT(table.str(), Catch::Contains("broken: exit 2: memsim: error: x.yaml:3:5: unknown key"));
    // 150 - 200 = -50, -25%; 12 - 10 = +2, +20%
    CHECK_THAT(table.str(), Catch::Matches("(.|\n)*os.faults.minor +200 +150 +-50 +-25.0%(.|\n)*"));
    CHECK_THAT(table.str(), Catch::Matches("(.|\n)*libc.brk_calls +10 +12 +\\+2 +\\+20.0%(.|\n)*"));

    std::ostringstream csv;
    write_comparison(csv, rs, names, Format::Csv);
    CHECK_THAT(csv.str(), Catch::StartsWith("stat,base,other,other diff,other relative,broken,broken diff,broken relative\n"
                                            "status,ok,ok,,,failed (exit 2),,\n"
                                            "os.faults.minor,200,150,-50,-0.25,,,\n"));
    CHECK_THAT(csv.str(), Catch::Contains("error,,,,,memsim: error: x.yaml:3:5: unknown key,,\n"));

    std::ostringstream md;
    write_comparison(md, rs, names, Format::Markdown);
    CHECK_THAT(md.str(), Catch::StartsWith("| stat "));
    CHECK_THAT(md.str(), Catch::Contains("|---"));

    std::ostringstream js;
    write_comparison(js, rs, names, Format::Json);
    CHECK_THAT(js.str(), Catch::Contains("\"exit_code\": 2"));
    CHECK_THROWS_AS(parse_format("xml"), InputError);
}
