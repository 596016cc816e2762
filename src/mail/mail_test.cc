#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/logger.h"
#include "base/random.h"
#include "base/temp_dir_for_test.h"
#include "mail/log_mailer.h"
#include "mail/mail_message.h"
#include "mail/mailer.h"
#include "mail/smtp_mailer.h"

namespace plinth::mail {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 UTC

// Every LF in `text` is preceded by CR.
bool OnlyCrlf(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return false;
  }
  return true;
}

std::vector<std::string> SplitCrlf(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", start)) {
    lines.push_back(text.substr(start, at - start));
    start = at + 2;
  }
  lines.push_back(text.substr(start));
  return lines;
}

// ---- FormatMessage and its parts -------------------------------------------

TEST(FormatDateTest, IsRfc5322InUtc) {
  EXPECT_EQ(FormatDate(kNow), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(FormatDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(AddressOfTest, TakesTheAngleAddrOrTheTrimmedText) {
  EXPECT_EQ(AddressOf("user@example.com"), "user@example.com");
  EXPECT_EQ(AddressOf("  user@example.com "), "user@example.com");
  EXPECT_EQ(AddressOf("My App <noreply@example.com>"), "noreply@example.com");
  EXPECT_EQ(AddressOf("   "), "");
}

TEST(FormatMessageTest, WritesHeadersThenBodyWithCrlf) {
  MailMessage m{"user@example.com", "Confirm your account",
                "Hello,\n\nconfirm: https://app.test/confirm?token=t1&tokenId=i1\n"};
  auto text = FormatMessage(m, "My App <noreply@app.test>", kNow, "abc123@app.test");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "From: My App <noreply@app.test>\r\n"
            "To: user@example.com\r\n"
            "Subject: Confirm your account\r\n"
            "Message-ID: <abc123@app.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hello,\r\n"
            "\r\n"
            "confirm: https://app.test/confirm?token=t1&tokenId=i1\r\n");
}

TEST(FormatMessageTest, NormalizesEveryLineEndingToCrlf) {
  MailMessage m{"u@example.com", "s", "a\nb\r\nc\rd\n\ne"};
  auto text = FormatMessage(m, "f@example.com", kNow, "id@example.com");
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(OnlyCrlf(*text));
  EXPECT_THAT(*text, HasSubstr("\r\n\r\na\r\nb\r\nc\r\nd\r\n\r\ne\r\n"));
}

TEST(FormatMessageTest, EncodesNonAsciiSubjectAsEncodedWord) {
  MailMessage m{"u@example.com", "Bestätigen Sie", "x"};
  auto text = FormatMessage(m, "f@example.com", kNow, "id@example.com");
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("\r\nSubject: =?UTF-8?B?QmVzdMOkdGlnZW4gU2ll?=\r\n"));
}

TEST(FormatMessageTest, LongEncodedSubjectSplitsOnCharacterBoundaries) {
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "\xC3\xA4";  // 30 x "ä", 60 bytes
  // 45 bytes would split an "ä", so the first word holds 44.
  EXPECT_EQ(EncodeHeaderText(subject),
            "=?UTF-8?B?w6TDpMOkw6TDpMOkw6TDpMOkw6TDpMOkw6TDpMOkw6TDpMOkw6TDpMOkw6Q=?=\r\n"
            " =?UTF-8?B?w6TDpMOkw6TDpMOkw6TDpA==?=");
  std::string long_subject(3000, 'x');
  long_subject += "\xC3\xA4";
  for (const std::string& line : SplitCrlf(EncodeHeaderText(long_subject))) {
    EXPECT_LE(line.size(), 76u);  // one leading space + a 75-character word
  }
}

TEST(FormatMessageTest, PlainAsciiStaysPlainButLooksAlikeAreEncoded) {
  EXPECT_EQ(EncodeHeaderText("Reset your password"), "Reset your password");
  EXPECT_EQ(EncodeHeaderText("a =?b?= c"), "=?UTF-8?B?YSA9P2I/PSBj?=");
}

TEST(FormatMessageTest, NonAsciiOrLongBodyIsQuotedPrintable) {
  std::string long_line(100, 'x');
  MailMessage m{"u@example.com", "s",
                "Gr\xC3\xBC\xC3\x9F"
                "e =\n" +
                    long_line + "\ntrailing \n"};
  auto text = FormatMessage(m, "f@example.com", kNow, "id@example.com");
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n"));
  EXPECT_THAT(*text, HasSubstr("\r\n\r\nGr=C3=BC=C3=9Fe =3D\r\n"));
  EXPECT_THAT(*text,
              HasSubstr("\r\n" + std::string(75, 'x') + "=\r\n" + std::string(25, 'x') + "\r\n"));
  EXPECT_THAT(*text, HasSubstr("\r\ntrailing=20\r\n"));
  EXPECT_TRUE(OnlyCrlf(*text));
  for (const std::string& line : SplitCrlf(*text)) EXPECT_LE(line.size(), 76u) << line;
}

TEST(FormatMessageTest, RefusesHeaderInjection) {
  struct Case {
    MailMessage message;
    std::string from;
  };
  std::vector<Case> cases = {
      {{"u@example.com\r\nBcc: victim@example.com", "s", "b"}, "f@example.com"},
      {{"u@example.com", "hi\nBcc: victim@example.com", "b"}, "f@example.com"},
      {{"u@example.com", "hi\r", "b"}, "f@example.com"},
      {{"u@example.com", "s", "b"}, "f@example.com\nBcc: victim@example.com"},
      {{std::string("u@example.com\0x", 15), "s", "b"}, "f@example.com"},
      {{"", "s", "b"}, "f@example.com"},
      {{"u@example.com", "s", "b"}, ""},
  };
  for (const Case& c : cases) {
    auto text = FormatMessage(c.message, c.from, kNow, "id@example.com");
    ASSERT_FALSE(text.ok()) << c.message.to << " / " << c.message.subject << " / " << c.from;
    EXPECT_EQ(text.status().code(), base::ErrorCode::kInvalidParameter);
  }
}

// ---- LogMailer ---------------------------------------------------------------

TEST(LogMailerTest, WritesOneInfoLineWithTheMessage) {
  base::CapturingLogger logger;
  LogMailer mailer(&logger);
  ASSERT_TRUE(mailer.Send({"u@example.com", "Confirm", "link: https://x/c?token=t\n"}).ok());
  std::vector<std::string> lines = logger.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"info\""));
  EXPECT_THAT(lines[0], HasSubstr("\"msg\":\"mail (log sink)\""));
  EXPECT_THAT(lines[0], HasSubstr("\"to\":\"u@example.com\""));
  EXPECT_THAT(lines[0], HasSubstr("\"subject\":\"Confirm\""));
  EXPECT_THAT(lines[0], HasSubstr("\"body\":\"link: https://x/c?token=t\\n\""));
}

TEST(LogMailerTest, RefusesHeaderInjectionLikeSmtp) {
  base::CapturingLogger logger;
  LogMailer mailer(&logger);
  base::Status s = mailer.Send({"u@example.com\nBcc: v@example.com", "s", "b"});
  EXPECT_EQ(s.code(), base::ErrorCode::kInvalidParameter);
  EXPECT_TRUE(logger.Lines().empty());
}

// ---- SmtpMailer against a real SMTP server -----------------------------------

SmtpOptions Options(std::string url, std::string from) {
  SmtpOptions options;
  options.url = std::move(url);
  options.from = std::move(from);
  return options;
}

// A local SMTP server: src/mail/testdata/smtp_sink.py (python3-aiosmtpd) in a
// child process, appending what it receives to a file. Killed on destruction,
// and by the kernel should this test process die first.
class SmtpSink {
 public:
  explicit SmtpSink(std::string output_path) : output_path_(std::move(output_path)) {}
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // Starts the sink and reads its port. Returns "" on success, "skip: ..."
  // when python3-aiosmtpd is missing, or another error text.
  std::string Start() {
    std::string script = std::string(PLINTH_SOURCE_DIR) + "/src/mail/testdata/smtp_sink.py";
    // Debian's interpreter, where python3-aiosmtpd lives, even when PATH
    // leads to another python3 first.
    std::string python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(fds[1], STDOUT_FILENO);
      ::execlp(python.c_str(), python.c_str(), script.c_str(), output_path_.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[64];
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (line.starts_with("NO_AIOSMTPD")) {
      return "skip: python3-aiosmtpd is not installed (scripts/install-deps.sh installs it)";
    }
    if (line.find('\n') == std::string::npos) return "the SMTP sink did not report a port";
    port_ = std::stoi(line);
    return port_ > 0 ? "" : "the SMTP sink reported a bad port: " + line;
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The output file once it holds `count` messages, or what it holds after 10 s.
  std::string WaitForMessages(int count) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string text;
    while (true) {
      std::ifstream in(output_path_, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      int seen = 0;
      for (std::size_t at = text.find(kEnd); at != std::string::npos;
           at = text.find(kEnd, at + 1)) {
        ++seen;
      }
      if (seen >= count || std::chrono::steady_clock::now() > deadline) return text;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  static constexpr const char* kEnd = "--plinth-sink-end--\n";

 private:
  std::string output_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

#define START_SINK_OR_SKIP(sink)                           \
  do {                                                     \
    std::string start_error = (sink).Start();              \
    if (start_error.starts_with("skip: ")) {               \
      GTEST_SKIP() << start_error.substr(6);               \
    }                                                      \
    ASSERT_EQ(start_error, "") << "starting smtp_sink.py"; \
  } while (0)

TEST(SmtpMailerTest, DeliversToARealSmtpServer) {
  base::TempDirForTest dir;
  SmtpSink sink((dir.path() / "received.txt").string());
  START_SINK_OR_SKIP(sink);

  base::FakeClock clock;  // 1'700'000'000 s
  base::SeededRandom random(7);
  SmtpOptions options;
  options.url = sink.url();
  options.from = "Plinth App <noreply@plinth.test>";
  options.timeout = std::chrono::milliseconds(5000);
  SmtpMailer mailer(options, &clock, &random);

  MailMessage m{"user@example.com", "Bestätigen",
                "Hello,\n.a line starting with a dot\n.\nhttps://app.test/confirm?token=t1\n"};
  base::Status s = mailer.Send(m);
  ASSERT_TRUE(s.ok()) << s.ToString();

  std::string got = sink.WaitForMessages(1);
  EXPECT_THAT(got, HasSubstr("MAIL FROM: noreply@plinth.test\n"));
  EXPECT_THAT(got, HasSubstr("RCPT TO: user@example.com\n"));
  EXPECT_THAT(got, HasSubstr("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  EXPECT_THAT(got, HasSubstr("From: Plinth App <noreply@plinth.test>\r\n"));
  EXPECT_THAT(got, HasSubstr("To: user@example.com\r\n"));
  EXPECT_THAT(got, HasSubstr("Subject: =?UTF-8?B?QmVzdMOkdGlnZW4=?=\r\n"));
  EXPECT_TRUE(std::regex_search(got, std::regex("Message-ID: <[0-9a-f]{32}@plinth\\.test>\r\n")))
      << got;
  // libcurl dot-stuffs on the wire and the server undoes it: the body
  // arrives as written, the lone "." line included.
  EXPECT_THAT(got, HasSubstr("\r\n\r\nHello,\r\n.a line starting with a dot\r\n.\r\n"
                             "https://app.test/confirm?token=t1\r\n--plinth-sink-end--\n"));
}

TEST(SmtpMailerTest, ConcurrentSendsAllArrive) {
  base::TempDirForTest dir;
  SmtpSink sink((dir.path() / "received.txt").string());
  START_SINK_OR_SKIP(sink);

  base::FakeClock clock;
  base::SeededRandom random(1);
  SmtpOptions options = Options(sink.url(), "noreply@plinth.test");
  options.timeout = std::chrono::milliseconds(5000);
  SmtpMailer mailer(options, &clock, &random);
  constexpr int kThreads = 4;
  std::vector<base::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::string n = std::to_string(i);
      results[i] = mailer.Send({"user" + n + "@example.com", "Mail " + n, "body " + n + "\n"});
    });
  }
  for (std::thread& t : threads) t.join();
  for (const base::Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();

  std::string got = sink.WaitForMessages(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    std::string n = std::to_string(i);
    EXPECT_THAT(got, HasSubstr("RCPT TO: user" + n + "@example.com\n"));
    EXPECT_THAT(got, HasSubstr("Subject: Mail " + n + "\r\n"));
    EXPECT_THAT(got, HasSubstr("\r\n\r\nbody " + n + "\r\n"));
  }
}

// A port on 127.0.0.1 with nothing listening (bound, then released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(SmtpMailerTest, RefusedConnectionFailsQuicklyWithoutThePassword) {
  base::FakeClock clock;
  base::SeededRandom random(1);
  SmtpOptions options;
  options.url = "smtp://127.0.0.1:" + std::to_string(FreePort());
  options.from = "noreply@plinth.test";
  options.username = "mailer";
  options.password = "hunter2-very-secret";
  options.timeout = std::chrono::milliseconds(2000);
  SmtpMailer mailer(options, &clock, &random);

  auto start = std::chrono::steady_clock::now();
  base::Status s = mailer.Send({"user@example.com", "s", "b"});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), base::ErrorCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("mail: SMTP send failed"));
  EXPECT_THAT(s.message(), Not(HasSubstr("hunter2")));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST(SmtpMailerTest, RefusesInjectionAndBadOptionsBeforeConnecting) {
  base::FakeClock clock;
  base::SeededRandom random(1);
  // Port 9 (discard) is never contacted: every case fails before curl runs.
  SmtpMailer good(Options("smtp://127.0.0.1:9", "noreply@plinth.test"), &clock, &random);
  EXPECT_EQ(good.Send({"u@example.com\r\nBcc: v@example.com", "s", "b"}).code(),
            base::ErrorCode::kInvalidParameter);
  EXPECT_EQ(good.Send({"u@example.com", "s\nBcc: v@example.com", "b"}).code(),
            base::ErrorCode::kInvalidParameter);

  EXPECT_EQ(SmtpMailer::CheckOptions(Options("http://127.0.0.1:9", "noreply@plinth.test")).code(),
            base::ErrorCode::kInvalidConfig);
  EXPECT_EQ(SmtpMailer::CheckOptions(Options("smtp://127.0.0.1:9", "")).code(),
            base::ErrorCode::kInvalidConfig);
  EXPECT_EQ(SmtpMailer::CheckOptions(Options("smtp://h:1", "a@b.c\nBcc: x@y.z")).code(),
            base::ErrorCode::kInvalidParameter);
  SmtpOptions zero_timeout = Options("smtp://h:1", "a@b.c");
  zero_timeout.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(SmtpMailer::CheckOptions(zero_timeout).code(), base::ErrorCode::kInvalidConfig);
  EXPECT_TRUE(SmtpMailer::CheckOptions(Options("smtps://h:465", "A <a@b.c>")).ok());
  SmtpMailer bad_url(Options("file:///etc/passwd", "noreply@plinth.test"), &clock, &random);
  EXPECT_EQ(bad_url.Send({"u@example.com", "s", "b"}).code(), base::ErrorCode::kInvalidConfig);
}

}  // namespace
}  // namespace plinth::mail
