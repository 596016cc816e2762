#include "mail/log_mailer.h"

#include "mail/mail_message.h"

namespace plinth::mail {

base::Status LogMailer::Send(const MailMessage& message) {
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("to", message.to));
  PLINTH_RETURN_IF_ERROR(CheckHeaderValue("subject", message.subject));
  logger_->Info("mail (log sink)",
                {{"to", message.to}, {"subject", message.subject}, {"body", message.text_body}});
  return base::Status::Ok();
}

}  // namespace plinth::mail
