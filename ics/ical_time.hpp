// Wall-clock times to and from libical's icaltimetype, where our code hands work to libical.
#pragma once

#include "ics/ical_lib.hpp"

#include "ics/time.hpp"

namespace cb::ics {

inline LocalSeconds fromIcal(const icaltimetype& t) {
  using namespace std::chrono;
  return local_days{year{t.year} / t.month / t.day} + hours{t.hour} + minutes{t.minute} +
         seconds{t.second};
}

// A DATE (time of day dropped) or a floating DATE-TIME; set .zone for a zoned one.
inline icaltimetype toIcal(LocalSeconds local, bool isDate) {
  using namespace std::chrono;
  const local_days d = floor<days>(local);
  const year_month_day ymd{d};
  const hh_mm_ss hms{local - d};
  icaltimetype t = nullIcalTime();
  t.year = int(ymd.year());
  t.month = int(unsigned(ymd.month()));
  t.day = int(unsigned(ymd.day()));
  if (isDate) {
    t.is_date = 1;
  } else {
    t.hour = int(hms.hours().count());
    t.minute = int(hms.minutes().count());
    t.second = int(hms.seconds().count());
  }
  return t;
}

}  // namespace cb::ics
