// The single translation unit that compiles Asio, Asio SSL and Beast (DESIGN §2). Every other
// file is built with BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION and
// links against the definitions made here, which keeps rebuilds on 2 cores short.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
